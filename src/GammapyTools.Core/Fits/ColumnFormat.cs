using System.Globalization;

namespace GammapyTools.Fits;

/// <summary>
/// A binary-table TFORM value: <c>rT</c> for fixed fields (repeat r, type T in LXBIJKAEDCM), and
/// <c>rPT(max)</c> / <c>rQT(max)</c> for variable-length arrays (descriptor in the row, values in the heap).
/// </summary>
public readonly record struct ColumnFormat(int Repeat, char Type, char ElementType = '\0', long MaxLength = 0)
{
    public bool IsVariableLength => Type is 'P' or 'Q';

    /// <summary>The type of the values themselves (for P/Q, the element type in the heap).</summary>
    public char ValueType => IsVariableLength ? ElementType : Type;

    /// <summary>Bytes this field takes in a row.</summary>
    /// <exception cref="OverflowException">The repeat count makes the width overflow (a header may claim any repeat).</exception>
    public int FieldWidth => Type switch
    {
        'X' => (int)(((long)Repeat + 7) / 8),
        'P' => Repeat == 0 ? 0 : 8,
        'Q' => Repeat == 0 ? 0 : 16,
        _ => checked(Repeat * ElementSize(Type)),
    };

    public static int ElementSize(char type) => type switch
    {
        'L' or 'B' or 'A' => 1,
        'I' => 2,
        'J' or 'E' => 4,
        'K' or 'D' or 'C' => 8,
        'M' => 16,
        'P' => 8,
        'Q' => 16,
        'X' => 1,
        _ => throw new FormatException($"unknown binary table type code '{type}'"),
    };

    public static ColumnFormat Parse(string tform)
    {
        string s = tform.Trim();
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        int repeat = 1;
        if (i > 0 && !int.TryParse(s.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out repeat))
            throw new FormatException($"TFORM '{tform}': repeat count is too large");
        if (i >= s.Length) throw new FormatException($"TFORM '{tform}' has no data type code");
        char type = char.ToUpperInvariant(s[i]);
        if ("LXBIJKAEDCMPQ".IndexOf(type) < 0) throw new FormatException($"TFORM '{tform}': unknown data type code '{s[i]}'");
        if (type is 'P' or 'Q')
        {
            if (i + 1 >= s.Length) throw new FormatException($"TFORM '{tform}': variable-length array has no element type");
            char element = char.ToUpperInvariant(s[i + 1]);
            if ("LXBIJKAEDCM".IndexOf(element) < 0) throw new FormatException($"TFORM '{tform}': unknown element type '{s[i + 1]}'");
            long max = 0;
            int open = s.IndexOf('(', i);
            if (open >= 0)
            {
                int close = s.IndexOf(')', open);
                if (close < 0 || !long.TryParse(s.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out max))
                    throw new FormatException($"TFORM '{tform}': bad maximum length");
            }
            if (repeat > 1) throw new FormatException($"TFORM '{tform}': a variable-length descriptor repeat must be 0 or 1");
            return new ColumnFormat(repeat, type, element, max);
        }
        // Anything after the code (e.g. "20A10" in some writers) is a sub-field hint we do not need.
        return new ColumnFormat(repeat, type);
    }

    public override string ToString() => IsVariableLength
        ? $"{(Repeat == 1 ? "1" : Repeat.ToString(CultureInfo.InvariantCulture))}{Type}{ElementType}({MaxLength.ToString(CultureInfo.InvariantCulture)})"
        : $"{Repeat.ToString(CultureInfo.InvariantCulture)}{Type}";
}
