using System.Globalization;

namespace GammapyTools.Fits;

/// <summary>
/// One binary-table column with its values, like astropy's <c>Column</c>.
/// <para>
/// <see cref="Data"/> holds every row's values, row after row (row-major, <see cref="Repeat"/>
/// values per row), in the natural .NET type of the TFORM code: L bool, X byte (packed bits), B byte,
/// I short, J int, K long, A string (one per row), E float, D double, C float pairs, M double pairs.
/// The FITS unsigned-integer convention (TZERO = 2^(n-1) with TSCAL 1) is decoded to ushort, uint,
/// ulong and sbyte arrays, and written back the same way. Other TSCAL/TZERO values are kept as
/// metadata on the raw stored values (see <see cref="ToDoubles"/>). Variable-length columns hold one
/// array per row (<c>float[][]</c> etc.).
/// </para>
/// </summary>
public sealed class FitsColumn
{
    public string Name { get; set; }
    public ColumnFormat Format { get; private set; }
    public string? Unit { get; set; }
    /// <summary>TDIM shape in FITS order (fastest-varying first), or null.</summary>
    public int[]? Dim { get; set; }
    public double? Scale { get; set; }
    public double? Zero { get; set; }
    public long? Null { get; set; }
    public Array Data { get; private set; }

    /// <summary>The TFORM text as read (e.g. "J" rather than "1J"), written back while the format is unchanged.</summary>
    internal string? TformText { get; init; }

    public FitsColumn(string name, ColumnFormat format, Array data, string? unit = null, int[]? dim = null)
    {
        Name = name;
        Format = format;
        Data = data;
        Unit = unit;
        Dim = dim;
    }

    /// <summary>Values per row (for variable-length columns: 1 descriptor).</summary>
    public int Repeat => Format.Type switch
    {
        'C' or 'M' => Format.Repeat * 2,
        'X' => Format.FieldWidth,
        'A' => 1,
        _ => Format.Repeat,
    };

    public int RowCount => Format.Type == 'A' || Format.IsVariableLength ? Data.Length : (Repeat == 0 ? 0 : Data.Length / Repeat);

    public T[] Get<T>() => Data.GetType() == typeof(T[]) ? (T[])Data : throw new InvalidCastException(
        $"column {Name} holds {Data.GetType().GetElementType()?.Name} values (TFORM {Format}), not {typeof(T).Name}");

    /// <summary>Replaces the values, keeping the TFORM type code; the array type must match it.</summary>
    public void SetData(Array data)
    {
        if (data.GetType() != Data.GetType())
            throw new ArgumentException($"column {Name}: new values are {data.GetType().Name}, the column holds {Data.GetType().Name}");
        Data = data;
    }

    /// <summary>Physical values as doubles (TSCAL/TZERO applied), for numeric fixed-length columns.</summary>
    public double[] ToDoubles()
    {
        double scale = Scale ?? 1.0, zero = Zero ?? 0.0;
        var result = new double[Data.Length];
        // Unsigned arrays first, by exact type (a byte[] also passes as sbyte[] at run time).
        switch (Data)
        {
            case sbyte[] sb when Data.GetType() == typeof(sbyte[]): for (int i = 0; i < sb.Length; i++) result[i] = sb[i]; break;
            case ushort[] us when Data.GetType() == typeof(ushort[]): for (int i = 0; i < us.Length; i++) result[i] = us[i]; break;
            case uint[] ui when Data.GetType() == typeof(uint[]): for (int i = 0; i < ui.Length; i++) result[i] = ui[i]; break;
            case ulong[] ul when Data.GetType() == typeof(ulong[]): for (int i = 0; i < ul.Length; i++) result[i] = ul[i]; break;
            case double[] d: d.CopyTo(result, 0); break;
            case float[] f: for (int i = 0; i < f.Length; i++) result[i] = f[i]; break;
            case long[] l: for (int i = 0; i < l.Length; i++) result[i] = l[i]; break;
            case int[] n: for (int i = 0; i < n.Length; i++) result[i] = n[i]; break;
            case short[] s: for (int i = 0; i < s.Length; i++) result[i] = s[i]; break;
            case byte[] b: for (int i = 0; i < b.Length; i++) result[i] = b[i]; break;
            default: throw new InvalidCastException($"column {Name} (TFORM {Format}) is not numeric");
        }
        if (scale != 1.0 || zero != 0.0)
            for (int i = 0; i < result.Length; i++) result[i] = result[i] * scale + zero;
        return result;
    }

    /// <summary>A fixed-length column from a flat row-major array; the type code follows the array type.</summary>
    public static FitsColumn Create(string name, Array data, int repeat = 1, string? unit = null, int[]? dim = null)
    {
        char code = TypeCodeFor(data) ?? throw new ArgumentException($"column {name}: no FITS type for {data.GetType().Name}");
        if (code == 'A')
        {
            int width = 1;
            foreach (string? s in (string?[])data) width = Math.Max(width, s?.Length ?? 0);
            return new FitsColumn(name, new ColumnFormat(Math.Max(repeat, width), 'A'), data, unit, dim);
        }
        if (repeat < 0 || (repeat > 0 && data.Length % repeat != 0))
            throw new ArgumentException($"column {name}: {data.Length} values do not make whole rows of {repeat}");
        return new FitsColumn(name, new ColumnFormat(repeat, code), data, unit, dim);
    }

    /// <summary>A variable-length (P) column: one array per row, all of the same element type.</summary>
    public static FitsColumn CreateVariableLength(string name, Array[] rows, string? unit = null)
    {
        var elementType = rows.GetType().GetElementType()!.GetElementType()
            ?? throw new ArgumentException($"column {name}: rows must be a jagged array such as float[][]");
        char code = TypeCodeFor(Array.CreateInstance(elementType, 0)) ?? throw new ArgumentException($"column {name}: no FITS type for {elementType.Name}");
        long max = 0;
        foreach (var r in rows) max = Math.Max(max, r.Length);
        return new FitsColumn(name, new ColumnFormat(1, 'P', code, max), rows, unit);
    }

    internal static char? TypeCodeFor(Array data) => data switch
    {
        bool[] => 'L',
        byte[] => 'B',
        sbyte[] => 'B',
        short[] => 'I',
        ushort[] => 'I',
        int[] => 'J',
        uint[] => 'J',
        long[] => 'K',
        ulong[] => 'K',
        float[] => 'E',
        double[] => 'D',
        string[] => 'A',
        _ => null,
    };

    internal void ReplaceFormat(ColumnFormat format) => Format = format;

    public override string ToString() => $"{Name} {Format}" + (Unit is null ? "" : $" [{Unit}]")
        + (Dim is null ? "" : " (" + string.Join(",", Dim.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")");
}
