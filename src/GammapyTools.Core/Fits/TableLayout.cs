using System.Globalization;

namespace GammapyTools.Fits;

/// <summary>
/// The column layout a binary-table header describes (TFIELDS, TTYPEn, TFORMn, TUNITn, TDIMn,
/// TSCALn, TZEROn, TNULLn), with each field's byte offset in the row. Also the inverse: the
/// structural header keywords for a table we write.
/// </summary>
internal sealed class TableLayout
{
    public required int RowWidth { get; init; }
    public required int RowCount { get; init; }
    public required IReadOnlyList<ColumnLayout> Columns { get; init; }

    /// <summary>Keywords a writer regenerates from the columns; everything else in a header is kept as it is.</summary>
    private static readonly string[] ColumnKeywordPrefixes = ["TTYPE", "TFORM", "TUNIT", "TDIM", "TSCAL", "TZERO", "TNULL"];
    private static readonly HashSet<string> StructuralKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "EXTEND", "CHECKSUM", "DATASUM",
    };

    public static TableLayout FromHeader(FitsHeader h)
    {
        int rowWidth = checked((int)h.GetRequiredLong("NAXIS1"));
        int rows = checked((int)h.GetRequiredLong("NAXIS2"));
        int fields = checked((int)h.GetRequiredLong("TFIELDS"));
        if (fields is < 0 or > 999) throw new FormatException($"TFIELDS = {fields} is out of range");
        var columns = new List<ColumnLayout>(fields);
        int offset = 0;
        for (int i = 1; i <= fields; i++)
        {
            string tform = h.GetString($"TFORM{i}") ?? throw new FormatException($"TFORM{i} is missing");
            ColumnFormat format;
            try { format = ColumnFormat.Parse(tform); }
            catch (FormatException e) { throw new FormatException($"column {i} ({h.GetString($"TTYPE{i}") ?? "unnamed"}): {e.Message}", e); }
            string name = h.GetString($"TTYPE{i}") ?? $"COL{i}";
            columns.Add(new ColumnLayout(name, format, tform.Trim(), offset, h.GetString($"TUNIT{i}"), ParseDim(h.GetString($"TDIM{i}"), name),
                h.GetDouble($"TSCAL{i}"), h.GetDouble($"TZERO{i}"), h.GetLong($"TNULL{i}")));
            offset = checked(offset + format.FieldWidth);
        }
        if (offset != rowWidth)
            throw new FormatException($"the columns' widths add up to {offset} bytes but NAXIS1 = {rowWidth}");
        return new TableLayout { RowWidth = rowWidth, RowCount = rows, Columns = columns };
    }

    internal static int[]? ParseDim(string? tdim, string column)
    {
        if (string.IsNullOrWhiteSpace(tdim)) return null;
        string s = tdim.Trim();
        if (!s.StartsWith('(') || !s.EndsWith(')')) throw new FormatException($"column {column}: TDIM '{tdim}' is not of the form (n1,n2,...)");
        var parts = s[1..^1].Split(',', StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new FormatException($"column {column}: TDIM '{tdim}' is not of the form (n1,n2,...)");
        return dims;
    }

    internal static bool IsRegenerated(string keyword)
    {
        if (StructuralKeywords.Contains(keyword)) return true;
        if (keyword.StartsWith("NAXIS", StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var p in ColumnKeywordPrefixes)
            if (keyword.Length > p.Length && keyword.StartsWith(p, StringComparison.OrdinalIgnoreCase) && keyword[p.Length..].All(char.IsAsciiDigit))
                return true;
        return false;
    }

    /// <summary>
    /// The header to write for <paramref name="table"/>: mandatory keywords first, then each column's
    /// keywords, then every other card of <paramref name="source"/> in its order. Comments of
    /// regenerated cards are kept where the source had them.
    /// </summary>
    public static FitsHeader BuildHeader(FitsHeader source, BinaryTable table, int rowWidth, long heapLength)
    {
        var h = new FitsHeader();
        void Put(string key, object? value, string defaultComment) =>
            h.Add(new HeaderCard(key, value is int i ? (long)i : value, source.Find(key)?.Comment ?? defaultComment));

        Put("XTENSION", "BINTABLE", "binary table extension");
        Put("BITPIX", 8L, "array data type");
        Put("NAXIS", 2L, "number of array dimensions");
        Put("NAXIS1", (long)rowWidth, "length of dimension 1");
        Put("NAXIS2", (long)table.RowCount, "length of dimension 2");
        Put("PCOUNT", heapLength, "number of group parameters");
        Put("GCOUNT", 1L, "number of groups");
        Put("TFIELDS", (long)table.Columns.Count, "number of table fields");
        for (int i = 0; i < table.Columns.Count; i++)
        {
            var c = table.Columns[i];
            int n = i + 1;
            Put($"TTYPE{n}", c.Name, "");
            string? original = c.TformText;
            Put($"TFORM{n}", original is not null && ColumnFormat.Parse(original) == c.Format ? original : c.Format.ToString(), "");
            if (c.Unit is not null) Put($"TUNIT{n}", c.Unit, "");
            if (c.Dim is not null)
            {
                string? text = source.GetString($"TDIM{n}");
                bool unchanged = text is not null && string.Equals(source.GetString($"TTYPE{n}"), c.Name, StringComparison.Ordinal)
                    && ParseDim(text, c.Name) is { } old && old.SequenceEqual(c.Dim);
                Put($"TDIM{n}", unchanged ? text! : "(" + string.Join(",", c.Dim.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")", "");
            }
            double? zero = BinaryTableCodec.UnsignedZeroFor(c.Data);
            if (zero is not null)
            {
                Put($"TSCAL{n}", 1.0, "");
                Put($"TZERO{n}", zero is double z && z > 0 ? (object)(ulong)z : (long)zero.Value, "");
            }
            else
            {
                if (c.Scale is not null) Put($"TSCAL{n}", c.Scale.Value, "");
                if (c.Zero is not null) Put($"TZERO{n}", c.Zero.Value, "");
            }
            if (c.Null is not null) Put($"TNULL{n}", c.Null.Value, "");
        }
        foreach (var card in source)
            if (card.IsCommentary || !IsRegenerated(card.Keyword))
                h.Add(card);
        return h;
    }
}

/// <summary>One column as a header describes it, before its data are read.</summary>
internal sealed record ColumnLayout(string Name, ColumnFormat Format, string Tform, int Offset, string? Unit, int[]? Dim,
    double? Scale, double? Zero, long? Null)
{
    /// <summary>Whether the column's integers are unsigned stored as signed (TZERO = 2^(n-1)); those decode to unsigned arrays.</summary>
    public bool IsUnsigned => !Format.IsVariableLength && BinaryTableCodec.IsUnsignedConvention(Format.Type, Scale, Zero);

    /// <summary>The column with its decoded values (unsigned arrays carry no TSCAL/TZERO: their type says it).</summary>
    public FitsColumn ToColumn(Array values) => new(Name, Format, values, Unit, Dim)
    {
        TformText = Tform,
        Scale = IsUnsigned ? null : Scale,
        Zero = IsUnsigned ? null : Zero,
        Null = Null,
    };
}
