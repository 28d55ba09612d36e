using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

/// <summary>
/// Numeric tables are encoded in row blocks on all cores with per-block checksums
/// (FitsWriter): the bytes and DATASUM/CHECKSUM must be those of a plain serial encoding.
/// </summary>
public class FitsWriterBlockTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(300_001)]   // a 26-byte row: 40 328 rows per ~1 MB block, so 8 blocks, the last one ending off a word boundary
    [InlineData(3)]
    [InlineData(0)]
    public void A_numeric_table_in_blocks_gives_the_serial_bytes_and_checksums(int rows)
    {
        var rng = new Random(rows);
        var ids = new long[rows];
        var energy = new float[rows];
        var time = new double[rows];
        var pair = new short[2 * rows];
        var tel = new short[rows];
        for (int i = 0; i < rows; i++)
        {
            ids[i] = i + 1; energy[i] = (float)rng.NextDouble(); time[i] = 1e8 + rng.NextDouble() * 1e4;
            pair[2 * i] = (short)rng.Next(short.MinValue, short.MaxValue); pair[2 * i + 1] = unchecked((short)i); tel[i] = (short)rng.Next(short.MinValue, short.MaxValue);
        }
        var table = new BinaryTable(rows, [
            FitsColumn.Create("EVENT_ID", ids), FitsColumn.Create("ENERGY", energy, unit: "TeV"), FitsColumn.Create("TIME", time),
            FitsColumn.Create("PAIR", pair, repeat: 2), FitsColumn.Create("TEL", tel),
        ]);
        var header = new FitsHeader();
        header.Set("EXTNAME", "EVENTS");
        string dir = TestPaths.NewTempDir(), path = Path.Combine(dir, "blocks.fits");
        FitsWriter.Write(path, [new BinaryTableHdu(header, table)]);

        // An independent serial encoding of the same rows: big-endian fields in column order.
        var expected = new byte[rows * 26];
        for (int i = 0; i < rows; i++)
        {
            var row = expected.AsSpan(i * 26, 26);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(row, ids[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(row[8..], energy[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(row[12..], time[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[20..], pair[2 * i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[22..], pair[2 * i + 1]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[24..], tel[i]);
        }
        using var file = FitsFile.Open(path);
        var hdu = file.Hdus[1];
        byte[] bytes = File.ReadAllBytes(path);
        long dataStart = hdu.DataOffset;
        Assert.Equal(expected, bytes.AsSpan((int)dataStart, expected.Length).ToArray());
        // DATASUM is the serial ones'-complement sum of the padded data unit.
        int padded = (expected.Length + 2879) / 2880 * 2880;
        uint dataSum = Checksum.Accumulate(0, bytes.AsSpan((int)dataStart, padded));
        Assert.Equal(dataSum.ToString(System.Globalization.CultureInfo.InvariantCulture), hdu.Header.GetString("DATASUM"));
        // CHECKSUM makes the whole HDU sum to -0.
        Assert.Equal(0xFFFFFFFFu, Checksum.Accumulate(0, bytes.AsSpan((int)hdu.HeaderOffset, (int)(dataStart - hdu.HeaderOffset) + padded)));

        Oracles.Require(Oracle.FitsVerify);
        var (errors, warnings, report) = Oracles.Verify(path);
        Assert.True(errors == 0 && warnings == 0, report);
    }

    /// <summary>A stream that cannot seek (as gzip output): the writer encodes the whole table first, then writes it.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }

    /// <summary>Cancels its token after the first few megabytes, while the table is being written.</summary>
    private sealed class CancelAfter(Stream inner, CancellationTokenSource cts, long bytes) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);
        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            if (inner.Position > bytes) cts.Cancel();
        }
    }

    private static BinaryTableHdu EventsLike(int rows)
    {
        var rng = new Random(rows);
        var time = new double[rows];
        var ra = new float[rows];
        var id = new int[rows];
        for (int i = 0; i < rows; i++) { time[i] = 1e8 + i * 0.01; ra[i] = (float)(360 * rng.NextDouble()); id[i] = i; }
        var header = new FitsHeader();
        header.Set("EXTNAME", "EVENTS");
        header.Set("HDUCLAS1", "EVENTS");
        return new BinaryTableHdu(header, new BinaryTable(rows, [FitsColumn.Create("EVENT_ID", id), FitsColumn.Create("TIME", time), FitsColumn.Create("RA", ra)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65_537)]     // 16 bytes a row: one ~1 MB block and a one-row block (small: written on the calling thread)
    [InlineData(1_000_003)]  // 16 blocks, more than the pipeline's window of 8 (encoded on worker threads)
    public void A_table_written_while_it_is_encoded_has_the_bytes_of_one_encoded_first(int rows)
    {
        var hdus = new Hdu[] { EventsLike(rows), EventsLike(7) };
        using var streamed = new MemoryStream();
        FitsWriter.WriteTo(streamed, hdus);
        using var whole = new MemoryStream();
        FitsWriter.WriteTo(new ForwardOnly(whole), hdus);
        Assert.Equal(whole.Length, streamed.Length);
        Assert.True(whole.ToArray().AsSpan().SequenceEqual(streamed.ToArray()), "streamed and encoded-first bytes differ");
    }

    [Fact]
    public void Cancelled_while_a_table_is_written_the_writer_stops_and_leaves_no_file()
    {
        string dir = TestPaths.NewTempDir(), path = Path.Combine(dir, "cancelled.fits");
        var hdus = new Hdu[] { EventsLike(2_000_000) };
        using var cts = new CancellationTokenSource();
        using (var s = new MemoryStream())
        {
            var task = Task.Run(() => FitsWriter.WriteTo(new CancelAfter(s, cts, 3 << 20), hdus, cancellationToken: cts.Token));
            bool stopped;
            try { stopped = task.Wait(TimeSpan.FromSeconds(60)); }
            catch (AggregateException) { stopped = true; }
            Assert.True(stopped, "the writer did not stop");
            Assert.True(task.IsCanceled || task.Exception?.InnerException is OperationCanceledException, $"expected a cancellation, got {task.Status} {task.Exception}");
            Assert.True(s.Length < 2_000_000 * 16, "the whole table was written");
        }
        using var cts2 = new CancellationTokenSource();
        cts2.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => FitsWriter.Write(path, hdus, cancellationToken: cts2.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
