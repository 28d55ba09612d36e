using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GammapyTools.Fits;

/// <summary>
/// Decodes the fixed-width columns of a binary table block by block: a block of rows (small
/// enough to stay in the CPU cache) is read once and every requested column is taken out of it,
/// byte-swapped in the same loop, into arrays allocated once. Blocks are independent, so they are
/// decoded on all cores. This is the reader's hot path (an EVENTS table of millions of rows).
/// </summary>
internal static class TableDecoder
{
    // Measured on the 1.3 M-event benchmark file (bench/RESULTS.md): 64 KB blocks 27.6 ms, 256 KB
    // 14.5 ms, 1 MB 10.7–11.4 ms, 2–4 MB 13.7–14.7 ms. One block per core's L2 is the sweet spot:
    // big enough that the per-block read and scheduling cost vanish, small enough to stay in cache.
    private const int BlockBytes = 1024 * 1024;

    /// <summary>The table's bytes from a byte offset: read into <paramref name="buffer"/> (a file) or a slice of memory.</summary>
    public delegate ReadOnlySpan<byte> ReadBlock(long offset, int length, byte[] buffer);

    public static FitsColumn[] Decode(TableLayout layout, IReadOnlyList<ColumnLayout> columns, ReadBlock read)
    {
        int rows = layout.RowCount, width = layout.RowWidth;
        var outputs = new Array[columns.Count];
        var unsigned = new bool[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i].Format.IsVariableLength) throw new ArgumentException($"column {columns[i].Name} is variable-length; its values are in the heap");
            unsigned[i] = columns[i].IsUnsigned;
            outputs[i] = Allocate(columns[i].Format, unsigned[i], rows);
        }

        int rowsPerBlock = Math.Max(1, BlockBytes / Math.Max(width, 1));
        int blocks = rows == 0 ? 0 : (rows + rowsPerBlock - 1) / rowsPerBlock;
        var options = new ParallelOptions { MaxDegreeOfParallelism = blocks > 4 ? Environment.ProcessorCount : 1 };
        try
        {
            DecodeBlocks(blocks, rowsPerBlock, rows, width, columns, unsigned, outputs, read, options);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the first failure as itself (a FitsException naming the file), not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }


        var result = new FitsColumn[columns.Count];
        for (int i = 0; i < columns.Count; i++) result[i] = columns[i].ToColumn(outputs[i]);
        return result;
    }

    private static void DecodeBlocks(int blocks, int rowsPerBlock, int rows, int width, IReadOnlyList<ColumnLayout> columns,
        bool[] unsigned, Array[] outputs, ReadBlock read, ParallelOptions options)
    {
        Parallel.For(0, blocks, options,
            // A table smaller than a block needs a buffer of its own size, not 1 MB (many small tables: index files, IRFs).
            () => new byte[Math.Min(rowsPerBlock, rows) * width],
            (b, _, buffer) =>
            {
                int first = b * rowsPerBlock;
                int count = Math.Min(rowsPerBlock, rows - first);
                var block = read((long)first * width, count * width, buffer);
                for (int i = 0; i < columns.Count; i++)
                    DecodeBlock(block, width, count, first, columns[i], unsigned[i], outputs[i]);
                return buffer;
            },
            _ => { });
    }

    /// <summary>One field's values on their own (an array of the heap): <paramref name="format"/>'s repeat count of its type.</summary>
    public static Array DecodeField(ReadOnlySpan<byte> bytes, ColumnFormat format)
    {
        var output = Allocate(format, unsigned: false, rows: 1);
        var layout = new ColumnLayout("", format, "", 0, null, null, null, null, null);
        DecodeBlock(bytes, bytes.Length, 1, 0, layout, false, output);
        return output;
    }

    private static Array Allocate(ColumnFormat f, bool unsigned, int rows)
    {
        int n = f.Repeat;
        // The caller checked rows × row width against the data's length; this keeps a wrap impossible.
        _ = checked(rows * Math.Max(f.FieldWidth, 2 * n));
        return f.Type switch
        {
            'L' => new bool[rows * n],
            'X' => GC.AllocateUninitializedArray<byte>(rows * f.FieldWidth),
            'B' when unsigned => GC.AllocateUninitializedArray<sbyte>(rows * n),
            'B' => GC.AllocateUninitializedArray<byte>(rows * n),
            'A' => new string[rows],
            'I' when unsigned => GC.AllocateUninitializedArray<ushort>(rows * n),
            'I' => GC.AllocateUninitializedArray<short>(rows * n),
            'J' when unsigned => GC.AllocateUninitializedArray<uint>(rows * n),
            'J' => GC.AllocateUninitializedArray<int>(rows * n),
            'K' when unsigned => GC.AllocateUninitializedArray<ulong>(rows * n),
            'K' => GC.AllocateUninitializedArray<long>(rows * n),
            'E' => GC.AllocateUninitializedArray<float>(rows * n),
            'D' => GC.AllocateUninitializedArray<double>(rows * n),
            'C' => GC.AllocateUninitializedArray<float>(rows * n * 2),
            'M' => GC.AllocateUninitializedArray<double>(rows * n * 2),
            _ => throw new FormatException($"unsupported TFORM type '{f.Type}'"),
        };
    }

    // AggressiveOptimization on the hot loops: a process reads only a few files, too few calls for the
    // tiered JIT to replace its first, unoptimised code (reading 57 MB took 30-50 ms instead of 13).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeBlock(ReadOnlySpan<byte> block, int width, int count, int first, ColumnLayout c, bool unsigned, Array output)
    {
        var f = c.Format;
        int n = f.Repeat;
        int offset = c.Offset;
        switch (f.Type)
        {
            case 'E' or 'J':
                Swap32(block, width, count, offset, n, MemoryMarshal.Cast<byte, uint>(Bytes(output)).Slice(first * n, count * n), unsigned && f.Type == 'J' ? 0x80000000u : 0);
                break;
            case 'C':
                Swap32(block, width, count, offset, 2 * n, MemoryMarshal.Cast<byte, uint>(Bytes(output)).Slice(first * 2 * n, count * 2 * n), 0);
                break;
            case 'D' or 'K':
                Swap64(block, width, count, offset, n, MemoryMarshal.Cast<byte, ulong>(Bytes(output)).Slice(first * n, count * n), unsigned && f.Type == 'K' ? 0x8000000000000000ul : 0);
                break;
            case 'M':
                Swap64(block, width, count, offset, 2 * n, MemoryMarshal.Cast<byte, ulong>(Bytes(output)).Slice(first * 2 * n, count * 2 * n), 0);
                break;
            case 'I':
            {
                var dst = MemoryMarshal.Cast<byte, ushort>(Bytes(output)).Slice(first * n, count * n);
                ushort mask = unsigned ? (ushort)0x8000 : (ushort)0;
                for (int r = 0; r < count; r++)
                    for (int k = 0; k < n; k++)
                        dst[r * n + k] = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(block.Slice(r * width + offset + 2 * k, 2)) ^ mask);
                break;
            }
            case 'B' or 'X':
            {
                int w = f.Type == 'X' ? f.FieldWidth : n;
                var dst = Bytes(output).Slice(first * w, count * w);
                byte mask = unsigned && f.Type == 'B' ? (byte)0x80 : (byte)0;
                for (int r = 0; r < count; r++)
                {
                    var field = block.Slice(r * width + offset, w);
                    var to = dst.Slice(r * w, w);
                    field.CopyTo(to);
                    if (mask != 0) for (int k = 0; k < w; k++) to[k] ^= mask;
                }
                break;
            }
            case 'L':
            {
                var dst = (bool[])output;
                for (int r = 0; r < count; r++)
                    for (int k = 0; k < n; k++) dst[(first + r) * n + k] = block[r * width + offset + k] == (byte)'T';
                break;
            }
            case 'A':
            {
                var dst = (string[])output;
                for (int r = 0; r < count; r++)
                    dst[first + r] = BinaryTableCodec.DecodeString(block.Slice(r * width + offset, n));
                break;
            }
            default:
                throw new FormatException($"column {c.Name}: unsupported TFORM type '{f.Type}'");
        }
    }

    private static Span<byte> Bytes(Array a) => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(a), checked(a.Length * ElementSize(a)));

    private static int ElementSize(Array a) => a switch
    {
        byte[] or sbyte[] or bool[] => 1,
        short[] or ushort[] => 2,
        int[] or uint[] or float[] => 4,
        long[] or ulong[] or double[] => 8,
        _ => throw new ArgumentException("not a numeric array"),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Swap32(ReadOnlySpan<byte> block, int width, int count, int offset, int n, Span<uint> dst, uint mask)
    {
        if (n == 1)
        {
            // The hot loop of every reader: one strided 4-byte load per row. The block was checked
            // to hold count rows of width bytes, so the loads stay inside it without per-row slicing.
            if (block.Length < (count - 1) * width + offset + 4 || dst.Length < count)
                throw new ArgumentException("block too small for its rows");
            ref byte src = ref Unsafe.Add(ref MemoryMarshal.GetReference(block), offset);
            ref uint to = ref MemoryMarshal.GetReference(dst);
            for (int r = 0; r < count; r++)
                Unsafe.Add(ref to, r) = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, r * width))) ^ mask;
            return;
        }
        for (int r = 0; r < count; r++)
        {
            var src = MemoryMarshal.Cast<byte, uint>(block.Slice(r * width + offset, 4 * n));
            var to = dst.Slice(r * n, n);
            BinaryPrimitives.ReverseEndianness(src, to);
            if (mask != 0) for (int k = 0; k < n; k++) to[k] ^= mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Swap64(ReadOnlySpan<byte> block, int width, int count, int offset, int n, Span<ulong> dst, ulong mask)
    {
        if (n == 1)
        {
            if (block.Length < (count - 1) * width + offset + 8 || dst.Length < count)
                throw new ArgumentException("block too small for its rows");
            ref byte src = ref Unsafe.Add(ref MemoryMarshal.GetReference(block), offset);
            ref ulong to = ref MemoryMarshal.GetReference(dst);
            for (int r = 0; r < count; r++)
                Unsafe.Add(ref to, r) = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, r * width))) ^ mask;
            return;
        }
        for (int r = 0; r < count; r++)
        {
            var src = MemoryMarshal.Cast<byte, ulong>(block.Slice(r * width + offset, 8 * n));
            var to = dst.Slice(r * n, n);
            BinaryPrimitives.ReverseEndianness(src, to);
            if (mask != 0) for (int k = 0; k < n; k++) to[k] ^= mask;
        }
    }
}
