using System.IO.Compression;
using System.Runtime.InteropServices;
using GammapyTools.Output;

namespace GammapyTools.Fits;

/// <summary>
/// Writes HDUs to a FITS file. Files are written to a temporary file in the destination folder
/// and renamed into place, so a reader never sees a partial file and a failure leaves nothing
/// behind. Every HDU gets DATASUM and CHECKSUM. A name ending in ".gz" is gzip-compressed.
/// </summary>
public static class FitsWriter
{
    /// <summary>
    /// Writes <paramref name="hdus"/> to <paramref name="path"/> through <see cref="AtomicFile"/> (only a regular
    /// file is replaced; a symbolic link is replaced as a link). A first HDU that is not a primary HDU gets an
    /// empty primary HDU before it.
    /// </summary>
    /// <remarks>Cancelled (the token is checked between HDUs and before the rename), nothing is left behind.</remarks>
    public static void Write(string path, IEnumerable<Hdu> hdus, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full)) throw new FitsException("the file exists (use overwrite to replace it)", full);
        try
        {
            bool gzip = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            AtomicFile.Write(full, overwrite, file =>
            {
                if (gzip)
                {
                    using var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                    WriteTo(gz, hdus, full, cancellationToken);
                }
                else
                    WriteTo(file, hdus, full, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested(); // before AtomicFile renames the temp into place
            }, buffered: gzip);
        }
        catch (OutputPathException e)
        {
            throw new FitsException(e.Reason, full, inner: e);
        }
        catch (Exception e) when (e is not FitsException && e is FormatException or ArgumentException or IOException or InvalidCastException
            or OverflowException or UnauthorizedAccessException)
        {
            throw new FitsException($"cannot write: {e.Message}", full, inner: e);
        }
    }

    /// <summary>Writes the HDUs as one FITS byte stream.</summary>
    public static void WriteTo(Stream stream, IEnumerable<Hdu> hdus, string? nameForErrors = null, CancellationToken cancellationToken = default)
    {
        int index = 0;
        foreach (var hdu in hdus)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (index == 0 && !(hdu is ImageHdu { IsPrimary: true } || hdu is RawHdu && hdu.Header.Contains("SIMPLE")))
            {
                WriteHdu(stream, ImageHdu.EmptyPrimary(), 0, nameForErrors, cancellationToken);
                index++;
            }
            WriteHdu(stream, hdu, index, nameForErrors, cancellationToken);
            index++;
        }
        if (index == 0) WriteHdu(stream, ImageHdu.EmptyPrimary(), 0, nameForErrors, cancellationToken);
    }

    private static void WriteHdu(Stream stream, Hdu hdu, int index, string? file, CancellationToken cancellationToken)
    {
        if (hdu is BinaryTableHdu table && stream.CanSeek && IsStreamable(table.Table))
        {
            try { WriteTableStreaming(stream, table, cancellationToken); }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException or OverflowException)
            {
                throw new FitsException(e.Message, file, index, e);
            }
            return;
        }
        FitsHeader header;
        byte[] data;
        uint? knownSum;
        try
        {
            (header, data, knownSum) = hdu switch
            {
                BinaryTableHdu t => EncodeTable(t),
                ImageHdu i => Unsummed(EncodeImage(i, index == 0)),
                RawHdu r => (PrepareRawHeader(r.Header), r.Data, null),
                _ => throw new ArgumentException($"unknown HDU type {hdu.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException or OverflowException)
        {
            throw new FitsException(e.Message, file, index, e);
        }

        int padding = (int)((FitsHeader.BlockLength - data.Length % FitsHeader.BlockLength) % FitsHeader.BlockLength);
        stream.Write(HeaderWithChecksums(header, knownSum ?? DataSum(data)));
        stream.Write(data);
        if (padding > 0) stream.Write(new byte[padding]);
    }

    /// <summary>A table of fixed-width numeric columns only (EVENTS), which <see cref="WriteTableStreaming"/> writes.</summary>
    private static bool IsStreamable(BinaryTable table) =>
        table.Columns.Count > 0 && table.RowCount > 0 && table.Columns.All(c => BinaryTableCodec.CanEncodeRows(c) && c.RowCount == table.RowCount);

    /// <summary>
    /// Writes a numeric table while it is encoded: row blocks of ~1 MB are encoded (and their DATASUM
    /// words added) on worker threads in file order while this thread writes the finished ones, so
    /// encoding overlaps the write instead of preceding it. The header goes first as a placeholder of
    /// its final length (DATASUM and CHECKSUM cards have fixed width) and is rewritten once the sum is
    /// known. The bytes are the same as <see cref="EncodeTable"/> followed by a plain write.
    /// </summary>
    private static void WriteTableStreaming(Stream stream, BinaryTableHdu hdu, CancellationToken cancellationToken)
    {
        var table = hdu.Table;
        int rowWidth = 0;
        foreach (var c in table.Columns) rowWidth = checked(rowWidth + c.Format.FieldWidth);
        long tableBytes = (long)rowWidth * table.RowCount;
        var header = TableLayout.BuildHeader(hdu.Header, table, rowWidth, 0);
        long headerStart = stream.Position;
        int headerLength = HeaderWithChecksums(header, 0).Length;
        stream.Write(new byte[headerLength]);

        uint dataSum = BlockPipeline.EncodeAndWrite(stream, table, rowWidth, BlockRows(rowWidth), cancellationToken);
        int padding = (int)((FitsHeader.BlockLength - tableBytes % FitsHeader.BlockLength) % FitsHeader.BlockLength);
        if (padding > 0) stream.Write(new byte[padding]);
        long end = stream.Position;

        byte[] headerBytes = HeaderWithChecksums(header, dataSum);
        if (headerBytes.Length != headerLength) throw new InvalidOperationException("the table header changed length while its checksums were set");
        stream.Position = headerStart;
        stream.Write(headerBytes);
        stream.Position = end;
    }

    /// <summary>
    /// The header's bytes with DATASUM = <paramref name="dataSum"/> and the CHECKSUM that makes the whole HDU
    /// sum to -0. Both cards have a fixed width, so the length does not depend on the sum.
    /// </summary>
    private static byte[] HeaderWithChecksums(FitsHeader header, uint dataSum)
    {
        header.Set("CHECKSUM", "0000000000000000", "HDU checksum");
        header.Set("DATASUM", dataSum.ToString(System.Globalization.CultureInfo.InvariantCulture), "data unit checksum");
        uint sum = Checksum.Add(Checksum.Accumulate(0, header.ToBytes()), dataSum);
        header.Set("CHECKSUM", Checksum.Encode(sum));
        return header.ToBytes();
    }

    private static (FitsHeader, byte[], uint?) Unsummed((FitsHeader Header, byte[] Data) x) => (x.Header, x.Data, null);

    /// <summary>DATASUM of a data unit (zero padding to a whole word, as the padded unit has).</summary>
    private static uint DataSum(byte[] data)
    {
        uint sum = Checksum.Accumulate(0, data.AsSpan(0, data.Length - data.Length % 4));
        if (data.Length % 4 != 0)
        {
            Span<byte> tail = stackalloc byte[4];
            tail.Clear();
            data.AsSpan(data.Length - data.Length % 4).CopyTo(tail);
            sum = Checksum.Accumulate(sum, tail);
        }
        return sum;
    }

    /// <summary>Rows per block of the parallel table encoder: ~1 MB, a multiple of 4 so every block starts on a checksum word.</summary>
    private static int BlockRows(int rowWidth) => Math.Max(4, (1 << 20) / Math.Max(1, rowWidth) / 4 * 4);

    private static FitsHeader PrepareRawHeader(FitsHeader source)
    {
        var h = source.Clone();
        h.Remove("CHECKSUM");
        h.Remove("DATASUM");
        return h;
    }

    private static (FitsHeader, byte[], uint?) EncodeTable(BinaryTableHdu hdu)
    {
        var table = hdu.Table;
        int rowWidth = 0;
        foreach (var c in table.Columns)
        {
            if (c.RowCount != table.RowCount && c.Repeat != 0)
                throw new FormatException($"column {c.Name} has {c.RowCount} rows, the table {table.RowCount}");
            if (c.Format.IsVariableLength)
            {
                long max = 0;
                foreach (var row in c.Data) max = Math.Max(max, row is string s ? s.Length : (row as Array)?.Length ?? 0);
                c.ReplaceFormat(c.Format with { MaxLength = max });
            }
            rowWidth = checked(rowWidth + c.Format.FieldWidth);
        }
        long tableBytes = (long)rowWidth * table.RowCount;
        if (tableBytes > Array.MaxLength) throw new FormatException("the table is too large to write");
        if (table.Columns.Count > 0 && table.Columns.All(BinaryTableCodec.CanEncodeRows))
        {
            // Numeric tables (EVENTS): row blocks of ~1 MB encoded on all cores, each block's
            // DATASUM words added while the block is still in cache; the sums add up (ones'
            // complement addition is associative and blocks start on word boundaries).
            var data0 = GC.AllocateUninitializedArray<byte>((int)tableBytes);
            int blockRows = BlockRows(rowWidth), n = table.RowCount;
            int blocks = (n + blockRows - 1) / blockRows;
            var sums = new uint[blocks];
            Parallel.For(0, blocks, b =>
            {
                int first = b * blockRows, count = Math.Min(blockRows, n - first);
                var block = data0.AsSpan(first * rowWidth, count * rowWidth);
                BinaryTableCodec.EncodeRowBlock(block, table, rowWidth, first, count);
                // Only the last block can end off a word boundary; DataSum pads it as the file does.
                sums[b] = b < blocks - 1 || block.Length % 4 == 0 ? Checksum.Accumulate(0, block) : DataSum(block.ToArray());
            });
            uint sum = 0;
            foreach (uint x in sums) sum = Checksum.Add(sum, x);
            return (TableLayout.BuildHeader(hdu.Header, table, rowWidth, 0), data0, sum);
        }

        var rows = new byte[tableBytes];
        var heap = new HeapBuilder();
        int offset = 0;
        foreach (var c in table.Columns)
        {
            BinaryTableCodec.Encode(rows, rowWidth, table.RowCount, offset, c, heap);
            offset += c.Format.FieldWidth;
        }
        byte[] data = rows;
        if (heap.Length > 0)
        {
            data = new byte[tableBytes + heap.Length];
            rows.CopyTo(data, 0);
            heap.ToArray().CopyTo(data, tableBytes);
        }
        var header = TableLayout.BuildHeader(hdu.Header, table, rowWidth, heap.Length);
        return (header, data, null);
    }

    private static (FitsHeader, byte[]) EncodeImage(ImageHdu hdu, bool primary)
    {
        var src = hdu.Header;
        var h = new FitsHeader();
        void Put(string key, object value, string comment) => h.Add(new HeaderCard(key, value, src.Find(key)?.Comment ?? comment));

        (int bitpix, int size) = hdu.Data switch
        {
            // No data: keep the BITPIX the header had (MAGIC writes 16 in an empty primary).
            null => ((int)(src.GetLong("BITPIX") is long b && b is 8 or 16 or 32 or 64 or -32 or -64 ? b : 8), 1),
            byte[] => (8, 1),
            short[] => (16, 2),
            int[] => (32, 4),
            long[] => (64, 8),
            float[] => (-32, 4),
            double[] => (-64, 8),
            _ => throw new FormatException($"image data of type {hdu.Data.GetType().Name} has no BITPIX"),
        };
        if (primary) Put("SIMPLE", true, "conforms to FITS standard");
        else Put("XTENSION", "IMAGE", "Image extension");
        Put("BITPIX", (long)bitpix, "array data type");
        var axes = hdu.Data is null ? [] : hdu.Axes;
        Put("NAXIS", (long)axes.Length, "number of array dimensions");
        long count = 1;
        for (int i = 0; i < axes.Length; i++)
        {
            Put($"NAXIS{i + 1}", (long)axes[i], "");
            count *= axes[i];
        }
        if (hdu.Data is not null && count != hdu.Data.Length)
            throw new FormatException($"image axes ({string.Join("×", axes)}) do not match its {hdu.Data.Length} values");
        if (primary) Put("EXTEND", true, "");
        else
        {
            Put("PCOUNT", 0L, "number of parameters");
            Put("GCOUNT", 1L, "number of groups");
        }
        foreach (var card in src)
            if (card.IsCommentary || !(TableLayout.IsRegenerated(card.Keyword) || card.Keyword == "GROUPS"))
                h.Add(card);

        if (hdu.Data is null) return (h, []);
        var bytes = new byte[hdu.Data.Length * size];
        switch (hdu.Data)
        {
            case byte[] b: b.CopyTo(bytes, 0); break;
            case short[] s: MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(bytes); break;
            case int[] s: MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(bytes); break;
            case long[] s: MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(bytes); break;
            case float[] s: MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(bytes); break;
            case double[] s: MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(bytes); break;
        }
        BinaryTableCodec.SwapInPlace(bytes, size);
        return (h, bytes);
    }
}
