using System.Buffers;

namespace GammapyTools.Fits;

/// <summary>
/// Encodes a numeric table's rows in blocks on worker threads and writes the blocks in file order
/// on the calling thread as they are finished, so that encoding and writing overlap.
/// </summary>
/// <remarks>
/// A worker first takes a place in a window of <see cref="Window"/> blocks, then the next block
/// number: places are taken in block order, so the lowest unwritten block always has one and the
/// writer can never wait on a block that waits on the writer. At most <see cref="Window"/> blocks
/// (~1 MB each) are in memory at once. Tables of one or two blocks are encoded on the calling thread.
/// </remarks>
internal static class BlockPipeline
{
    private const int Window = 8;

    /// <summary>Writes rows of <paramref name="table"/> to <paramref name="stream"/>; returns the DATASUM of the bytes written.</summary>
    public static uint EncodeAndWrite(Stream stream, BinaryTable table, int rowWidth, int blockRows, CancellationToken cancellationToken)
    {
        int rows = table.RowCount;
        int blocks = (rows + blockRows - 1) / blockRows;
        if (blocks <= 2 || Environment.ProcessorCount == 1) return EncodeAndWriteInline(stream, table, rowWidth, blockRows, blocks, cancellationToken);
        var finished = new TaskCompletionSource<(byte[] Bytes, int Length, uint Sum)>[blocks];
        for (int b = 0; b < blocks; b++) finished[b] = new TaskCompletionSource<(byte[], int, uint)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var window = new SemaphoreSlim(Window);
        int next = -1;

        void Work()
        {
            while (true)
            {
                try { window.Wait(stop.Token); }
                catch (OperationCanceledException) { return; }
                int b = Interlocked.Increment(ref next);
                if (b >= blocks) { window.Release(); return; }
                try { finished[b].SetResult(Encode(table, rowWidth, b * blockRows, Math.Min(blockRows, rows - b * blockRows))); }
                catch (Exception e) { finished[b].SetException(e); return; }
            }
        }

        // Own threads, not the thread pool's: a campaign converts many runs at once on pool threads that
        // wait here for their blocks, and workers queued behind them would wait for the pool to grow.
        var workers = Enumerable.Range(0, Math.Min(Environment.ProcessorCount, blocks))
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        uint sum = 0;
        int written = 0;
        try
        {
            for (; written < blocks; written++)
            {
                var (bytes, length, blockSum) = finished[written].Task.WaitAsync(stop.Token).GetAwaiter().GetResult();
                try { stream.Write(bytes, 0, length); }
                finally { ArrayPool<byte>.Shared.Return(bytes); }
                sum = Checksum.Add(sum, blockSum);
                window.Release();
            }
        }
        finally
        {
            // On an error or cancellation: stop the workers, wait for them, and give back what they finished.
            stop.Cancel();
            Task.WaitAll(workers);
            for (int b = written + 1; b < blocks; b++)
                if (finished[b].Task.IsCompletedSuccessfully) ArrayPool<byte>.Shared.Return(finished[b].Task.Result.Bytes);
        }
        return sum;
    }

    /// <summary>A small table (GTI, a short run): its blocks encoded and written one after another on the calling thread.</summary>
    private static uint EncodeAndWriteInline(Stream stream, BinaryTable table, int rowWidth, int blockRows, int blocks, CancellationToken cancellationToken)
    {
        uint sum = 0;
        for (int b = 0; b < blocks; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (bytes, length, blockSum) = Encode(table, rowWidth, b * blockRows, Math.Min(blockRows, table.RowCount - b * blockRows));
            try { stream.Write(bytes, 0, length); }
            finally { ArrayPool<byte>.Shared.Return(bytes); }
            sum = Checksum.Add(sum, blockSum);
        }
        return sum;
    }

    /// <summary>One block of rows, encoded into a pooled buffer, with the DATASUM of its bytes (zero-padded to a word).</summary>
    private static (byte[] Bytes, int Length, uint Sum) Encode(BinaryTable table, int rowWidth, int first, int count)
    {
        int length = count * rowWidth;
        var bytes = ArrayPool<byte>.Shared.Rent(length + 3);
        BinaryTableCodec.EncodeRowBlock(bytes.AsSpan(0, length), table, rowWidth, first, count);
        // Only the last block can end off a word boundary; the file pads it with zeros, and so does the sum.
        int padded = (length + 3) / 4 * 4;
        bytes.AsSpan(length, padded - length).Clear();
        return (bytes, length, Checksum.Accumulate(0, bytes.AsSpan(0, padded)));
    }
}
