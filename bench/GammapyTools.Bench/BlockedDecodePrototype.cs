using System.Buffers.Binary;
using System.Runtime.InteropServices;
using GammapyTools.Fits;

namespace GammapyTools.Bench;

/// <summary>
/// A prototype, for the profile only (not product code): decodes a table of scalar K/D/J/E columns
/// in one pass over the rows, block by block (blocks that stay in L1/L2), with the byte swap fused into
/// the gather. It shows what the FITS layer's column-by-column decode (one pass over the whole table
/// per column, then a second swap pass) leaves on the table.
/// </summary>
public static class BlockedDecodePrototype
{
    /// <param name="streamed">Read row blocks straight from the file into a small reused buffer (no full-table byte[]).</param>
    public static Array[] Read(string path, string extname, bool parallel, bool streamed = false)
    {
        using var f = FitsFile.Open(path);
        var hdu = f.Find(extname)!;
        var data = streamed ? null : f.ReadDataBytes(hdu);
        var h = hdu.Header;
        int rowWidth = (int)h.GetRequiredLong("NAXIS1"), rows = (int)h.GetRequiredLong("NAXIS2"), nCol = (int)h.GetRequiredLong("TFIELDS");
        var sizes = new int[nCol];
        var offsets = new int[nCol];
        var result = new Array[nCol];
        int off = 0;
        for (int c = 0; c < nCol; c++)
        {
            string tform = h.GetString($"TFORM{c + 1}")!.Trim().TrimStart('1');
            (sizes[c], result[c]) = tform switch
            {
                "K" => (8, (Array)new long[rows]),
                "D" => (8, new double[rows]),
                "J" => (4, new int[rows]),
                "E" => (4, new float[rows]),
                _ => throw new NotSupportedException("prototype: scalar K/D/J/E only"),
            };
            offsets[c] = off;
            off += sizes[c];
        }
        const int block = 4096;
        int blocks = (rows + block - 1) / block;
        using var handle = streamed ? File.OpenHandle(path) : null;
        var buffers = new ThreadLocal<byte[]>(() => new byte[block * rowWidth]);
        void DecodeBlock(int b)
        {
            int r0 = b * block, r1 = Math.Min(rows, r0 + block);
            Span<byte> src;
            if (streamed)
            {
                var buf = buffers.Value!;
                int want = (r1 - r0) * rowWidth, got = 0;
                while (got < want) got += RandomAccess.Read(handle!, buf.AsSpan(got, want - got), hdu.DataOffset + (long)r0 * rowWidth + got);
                src = buf.AsSpan(0, want);
                r1 -= r0; // rows of this block, indexed from 0 in the buffer
                DecodeRows(src, 0, r1, r0);
                return;
            }
            DecodeRows(data.AsSpan(), r0, r1, 0);
        }
        void DecodeRows(Span<byte> src, int r0, int r1, int outBase)
        {
            for (int c = 0; c < nCol; c++)
            {
                int o = offsets[c];
                if (sizes[c] == 8)
                {
                    var dst = MemoryMarshal.Cast<byte, ulong>(MemoryMarshal.AsBytes(Span(result[c])));
                    for (int r = r0; r < r1; r++)
                        dst[outBase + r] = BinaryPrimitives.ReadUInt64BigEndian(src.Slice(r * rowWidth + o, 8));
                }
                else
                {
                    var dst = MemoryMarshal.Cast<byte, uint>(MemoryMarshal.AsBytes(Span(result[c])));
                    for (int r = r0; r < r1; r++)
                        dst[outBase + r] = BinaryPrimitives.ReadUInt32BigEndian(src.Slice(r * rowWidth + o, 4));
                }
            }
        }
        if (parallel) Parallel.For(0, blocks, DecodeBlock);
        else for (int b = 0; b < blocks; b++) DecodeBlock(b);
        return result;
    }

    private static Span<byte> Span(Array a) => a switch
    {
        long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        _ => throw new NotSupportedException(),
    };

    /// <summary>Checks that the prototype decodes exactly what the FITS layer decodes.</summary>
    public static void Verify(string path)
    {
        using var f = FitsFile.Open(path);
        var ours = f.ReadTable("EVENTS").Table;
        foreach (var proto in new[] { Read(path, "EVENTS", parallel: true), Read(path, "EVENTS", parallel: true, streamed: true) })
        for (int c = 0; c < proto.Length; c++)
            if (!MemoryMarshal.AsBytes(Span(ours.Columns[c].Data)).SequenceEqual(MemoryMarshal.AsBytes(Span(proto[c]))))
                throw new InvalidOperationException($"prototype differs in column {ours.Columns[c].Name}");
    }
}
