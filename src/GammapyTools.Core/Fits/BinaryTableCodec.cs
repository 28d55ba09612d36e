using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace GammapyTools.Fits;

/// <summary>
/// Encodes typed column arrays as binary-table rows (big-endian, row after row) with their heap,
/// and decodes variable-length columns; fixed-width decoding is <see cref="TableDecoder"/>'s.
/// </summary>
internal static class BinaryTableCodec
{
    private const double UnsignedShortZero = 32768.0;
    private const double UnsignedIntZero = 2147483648.0;
    private const double UnsignedLongZero = 9223372036854775808.0;

    /// <summary>Whether TZERO/TSCAL say "unsigned integers stored as signed", which we decode to unsigned arrays.</summary>
    internal static bool IsUnsignedConvention(char type, double? scale, double? zero) =>
        (scale ?? 1.0) == 1.0 && zero is double z && type switch
        {
            'I' => z == UnsignedShortZero,
            'J' => z == UnsignedIntZero,
            'K' => z == UnsignedLongZero,
            'B' => z == -128.0,
            _ => false,
        };

    // Exact type tests: the runtime lets a byte[] pass as sbyte[] (and short[] as ushort[], ...),
    // so pattern matching on array types cannot tell signed from unsigned storage.
    internal static double? UnsignedZeroFor(Array data) => data.GetType() switch
    {
        var t when t == typeof(ushort[]) => UnsignedShortZero,
        var t when t == typeof(uint[]) => UnsignedIntZero,
        var t when t == typeof(ulong[]) => UnsignedLongZero,
        var t when t == typeof(sbyte[]) => -128.0,
        _ => null,
    };

    // ------------------------------------------------------------------ decode
    // Fixed-width fields are decoded by TableDecoder (in blocks of rows, and for one array of the
    // heap at a time here); this part only follows variable-length descriptors into the heap.

    internal static string DecodeString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        if (end >= 0) field = field[..end];
        return Encoding.ASCII.GetString(field).TrimEnd(' ', '\0');
    }

    /// <summary>Big-endian to native (and back: the swap is its own inverse).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SwapInPlace(Span<byte> bytes, int elementSize)
    {
        if (!BitConverter.IsLittleEndian) return;
        switch (elementSize)
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, short>(bytes), MemoryMarshal.Cast<byte, short>(bytes)); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(bytes), MemoryMarshal.Cast<byte, int>(bytes)); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, long>(bytes), MemoryMarshal.Cast<byte, long>(bytes)); break;
        }
    }

    /// <summary>A variable-length (P/Q) column: one array per row (a string per row for 'A'), read from the heap.</summary>
    public static Array DecodeVariable(ReadOnlySpan<byte> table, int rowWidth, int rows, int offset, ColumnFormat format, ReadOnlySpan<byte> heap)
    {
        var elementFormat = new ColumnFormat(0, format.ElementType);
        var perRow = format.ElementType == 'A' ? (Array)new string[rows] : Array.CreateInstance(ElementArrayType(format.ElementType), rows);
        for (int r = 0; r < rows; r++)
        {
            // A descriptor with repeat 0 takes no bytes in the row: every row's array is empty.
            if (format.Repeat == 0)
            {
                perRow.SetValue(format.ElementType == 'A' ? "" : Array.CreateInstance(ElementArrayType(format.ElementType).GetElementType()!, 0), r);
                continue;
            }
            var d = table.Slice(r * rowWidth + offset, format.FieldWidth);
            long count, start;
            if (format.Type == 'P') { count = BinaryPrimitives.ReadInt32BigEndian(d); start = BinaryPrimitives.ReadInt32BigEndian(d[4..]); }
            else { count = BinaryPrimitives.ReadInt64BigEndian(d); start = BinaryPrimitives.ReadInt64BigEndian(d[8..]); }
            if (count < 0 || start < 0 || count > heap.Length || start > heap.Length)
                throw new FormatException($"variable-length array descriptor of row {r + 1} points outside the heap");
            int bytes = checked((int)(format.ElementType == 'X' ? (count + 7) / 8 : count * ColumnFormat.ElementSize(format.ElementType)));
            if (start + bytes > heap.Length)
                throw new FormatException($"variable-length array descriptor of row {r + 1} points outside the heap");
            var one = TableDecoder.DecodeField(heap.Slice((int)start, bytes), elementFormat with { Repeat = (int)count });
            perRow.SetValue(format.ElementType == 'A' ? ((string[])one)[0] : one, r);
        }
        return perRow;
    }

    private static Type ElementArrayType(char type) => type switch
    {
        'L' => typeof(bool[]),
        'X' or 'B' => typeof(byte[]),
        'I' => typeof(short[]),
        'J' => typeof(int[]),
        'K' => typeof(long[]),
        'E' or 'C' => typeof(float[]),
        'D' or 'M' => typeof(double[]),
        _ => throw new FormatException($"unsupported variable-length element type '{type}'"),
    };

    // ------------------------------------------------------------------ encode

    public static void Encode(Span<byte> table, int rowWidth, int rows, int offset, FitsColumn column, HeapBuilder heap)
    {
        var format = column.Format;
        if (format.IsVariableLength)
        {
            EncodeVariable(table, rowWidth, rows, offset, column, heap);
            return;
        }
        int n = format.Repeat;
        var type = column.Data.GetType();
        if (type == typeof(sbyte[]) || type == typeof(ushort[]) || type == typeof(uint[]) || type == typeof(ulong[]))
        {
            EncodeUnsigned(table, rowWidth, rows, offset, column.Data);
            return;
        }
        switch (column.Data)
        {
            case bool[] b:
                for (int r = 0; r < rows; r++)
                    for (int k = 0; k < n; k++) table[r * rowWidth + offset + k] = b[r * n + k] ? (byte)'T' : (byte)'F';
                break;
            case byte[] bytes:
                int w = format.Type == 'X' ? format.FieldWidth : n;
                for (int r = 0; r < rows; r++) bytes.AsSpan(r * w, w).CopyTo(table.Slice(r * rowWidth + offset, w));
                if (format.Type == 'X' && format.Repeat % 8 != 0)
                {
                    // Bits past the repeat count are not data; the standard wants them zero.
                    byte keep = (byte)(0xFF << (8 - format.Repeat % 8));
                    for (int r = 0; r < rows; r++) table[r * rowWidth + offset + w - 1] &= keep;
                }
                break;
            case string[] s:
                for (int r = 0; r < rows; r++)
                {
                    var field = table.Slice(r * rowWidth + offset, n);
                    // NUL padding, as astropy writes: readers then see the string without trailing blanks.
                    field.Clear();
                    string value = s[r] ?? "";
                    if (value.Length > n) throw new FormatException($"column {column.Name}: string '{value}' is longer than its width {n}");
                    for (int i = 0; i < value.Length; i++)
                    {
                        if (value[i] > 0x7E) throw new FormatException($"column {column.Name}: FITS strings are ASCII ('{value}')");
                        field[i] = (byte)value[i];
                    }
                }
                break;
            case short[] v: EncodeSwapped<short>(table, rowWidth, rows, offset, v); break;
            case int[] v: EncodeSwapped<int>(table, rowWidth, rows, offset, v); break;
            case long[] v: EncodeSwapped<long>(table, rowWidth, rows, offset, v); break;
            case float[] v: EncodeSwapped<float>(table, rowWidth, rows, offset, v); break;
            case double[] v: EncodeSwapped<double>(table, rowWidth, rows, offset, v); break;
            default:
                throw new FormatException($"column {column.Name}: cannot write values of type {column.Data.GetType().Name}");
        }
    }

    /// <summary>Unsigned values are stored signed with TZERO = 2^(n-1): flipping the top bit is that subtraction.</summary>
    private static void EncodeUnsigned(Span<byte> table, int rowWidth, int rows, int offset, Array data)
    {
        switch (data)
        {
            case sbyte[] v when v.GetType() == typeof(sbyte[]):
            {
                int n = rows == 0 ? 0 : v.Length / rows;
                for (int r = 0; r < rows; r++)
                    for (int k = 0; k < n; k++) table[r * rowWidth + offset + k] = (byte)(v[r * n + k] ^ unchecked((sbyte)0x80));
                break;
            }
            case ushort[] v:
            {
                var s2 = new short[v.Length];
                for (int i = 0; i < v.Length; i++) s2[i] = (short)(v[i] ^ 0x8000);
                EncodeSwapped(table, rowWidth, rows, offset, s2);
                break;
            }
            case uint[] v:
            {
                var s4 = new int[v.Length];
                for (int i = 0; i < v.Length; i++) s4[i] = (int)(v[i] ^ 0x80000000u);
                EncodeSwapped(table, rowWidth, rows, offset, s4);
                break;
            }
            case ulong[] v:
            {
                var s8 = new long[v.Length];
                for (int i = 0; i < v.Length; i++) s8[i] = (long)(v[i] ^ 0x8000000000000000ul);
                EncodeSwapped(table, rowWidth, rows, offset, s8);
                break;
            }
        }
    }

    /// <summary>True for the columns <see cref="EncodeRows"/> can write: fixed-width signed integers and floats.</summary>
    public static bool CanEncodeRows(FitsColumn column) =>
        !column.Format.IsVariableLength && column.Data is short[] or int[] or long[] or float[] or double[]
        && column.Data.GetType() != typeof(ushort[]) && column.Data.GetType() != typeof(uint[]) && column.Data.GetType() != typeof(ulong[]);

    /// <summary>
    /// Encodes rows [firstRow, firstRow + rows) of a numeric column into <paramref name="block"/>,
    /// which holds exactly those rows: a table can then be written in row blocks, in parallel,
    /// each block staying in cache while all its columns are written.
    /// </summary>
    /// <remarks>AggressiveOptimization: called for a few tables per process, too few for the tiered JIT to optimise it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EncodeRows(Span<byte> block, int rowWidth, int firstRow, int rows, int offset, FitsColumn column)
    {
        int n = column.Format.Repeat;
        switch (column.Data)
        {
            case short[] v: EncodeSwapped(block, rowWidth, rows, offset, v.AsSpan(firstRow * n, rows * n)); break;
            case int[] v: EncodeSwapped(block, rowWidth, rows, offset, v.AsSpan(firstRow * n, rows * n)); break;
            case long[] v: EncodeSwapped(block, rowWidth, rows, offset, v.AsSpan(firstRow * n, rows * n)); break;
            case float[] v: EncodeSwapped(block, rowWidth, rows, offset, v.AsSpan(firstRow * n, rows * n)); break;
            case double[] v: EncodeSwapped(block, rowWidth, rows, offset, v.AsSpan(firstRow * n, rows * n)); break;
            default: throw new FormatException($"column {column.Name}: {column.Data.GetType().Name} is not encoded by rows");
        }
    }

    /// <summary>Rows [firstRow, firstRow + rows) of every column of a numeric table into <paramref name="block"/>, which holds exactly those rows.</summary>
    public static void EncodeRowBlock(Span<byte> block, BinaryTable table, int rowWidth, int firstRow, int rows)
    {
        int offset = 0;
        foreach (var c in table.Columns)
        {
            EncodeRows(block, rowWidth, firstRow, rows, offset, c);
            offset += c.Format.FieldWidth;
        }
    }

    private static void EncodeSwapped<T>(Span<byte> table, int rowWidth, int rows, int offset, T[] values) where T : unmanaged
        => EncodeSwapped(table, rowWidth, rows, offset, (ReadOnlySpan<T>)values);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EncodeSwapped<T>(Span<byte> table, int rowWidth, int rows, int offset, ReadOnlySpan<T> values) where T : unmanaged
    {
        var src = MemoryMarshal.AsBytes(values);
        int width = rows == 0 ? 0 : src.Length / rows;
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (width == rowWidth)
        {
            src.CopyTo(table);
            SwapInPlace(table[..src.Length], size);
            return;
        }
        if (width == 4 && size == 4)
        {
            var s = MemoryMarshal.Cast<byte, uint>(src);
            for (int r = 0; r < s.Length; r++)
                BinaryPrimitives.WriteUInt32BigEndian(table.Slice(r * rowWidth + offset, 4), s[r]);
            return;
        }
        if (width == 8 && size == 8)
        {
            var s = MemoryMarshal.Cast<byte, ulong>(src);
            for (int r = 0; r < s.Length; r++)
                BinaryPrimitives.WriteUInt64BigEndian(table.Slice(r * rowWidth + offset, 8), s[r]);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            var field = table.Slice(r * rowWidth + offset, width);
            src.Slice(r * width, width).CopyTo(field);
            SwapInPlace(field, size);
        }
    }

    private static void EncodeVariable(Span<byte> table, int rowWidth, int rows, int offset, FitsColumn column, HeapBuilder heap)
    {
        var format = column.Format;
        var perRow = column.Data;
        // A descriptor with repeat 0 has no bytes in the row (and so no arrays in the heap).
        if (format.Repeat == 0) return;
        for (int r = 0; r < rows; r++)
        {
            object? value = perRow.GetValue(r);
            Array values = value switch
            {
                null => Array.Empty<byte>(),
                string s => new[] { s },
                Array a => a,
                _ => throw new FormatException($"column {column.Name}: row {r + 1} is not an array"),
            };
            int count = value is string str ? str.Length : values.Length;
            var elementFormat = new ColumnFormat(count, format.ElementType);
            var one = new FitsColumn(column.Name, elementFormat, values);
            var bytes = new byte[elementFormat.FieldWidth];
            if (bytes.Length > 0) Encode(bytes, bytes.Length, 1, 0, one, heap);
            long start = heap.Append(bytes);
            var d = table.Slice(r * rowWidth + offset, format.FieldWidth);
            if (format.Type == 'P')
            {
                BinaryPrimitives.WriteInt32BigEndian(d, count);
                BinaryPrimitives.WriteInt32BigEndian(d[4..], checked((int)start));
            }
            else
            {
                BinaryPrimitives.WriteInt64BigEndian(d, count);
                BinaryPrimitives.WriteInt64BigEndian(d[8..], start);
            }
        }
    }
}

/// <summary>The heap of variable-length arrays that follows a table's rows.</summary>
internal sealed class HeapBuilder
{
    private readonly MemoryStream _bytes = new();
    public long Length => _bytes.Length;
    public long Append(ReadOnlySpan<byte> data)
    {
        long start = _bytes.Length;
        _bytes.Write(data);
        return start;
    }
    public byte[] ToArray() => _bytes.ToArray();
}
