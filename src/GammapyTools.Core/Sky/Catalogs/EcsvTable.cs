using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GammapyTools.Sky;

/// <summary>
/// A minimal reader of astropy's ECSV (Enhanced Character Separated Values, version 1.0): a header of
/// lines starting with "# " holding YAML (only the <c>datatype</c> list's <c>name</c>, <c>unit</c>,
/// <c>datatype</c> and the <c>delimiter</c> are used), then a CSV header line with the column names
/// and the data rows, space-delimited by default, strings quoted with double quotes.
/// Enough for catalogs such as 3HWC; not a general YAML parser.
/// </summary>
public sealed partial class EcsvTable
{
    public sealed record Column(string Name, string DataType, string? Unit);

    public string Path { get; }
    public IReadOnlyList<Column> Columns { get; }
    public IReadOnlyList<string[]> Rows { get; }
    public string? CatalogName { get; }

    private EcsvTable(string path, IReadOnlyList<Column> columns, IReadOnlyList<string[]> rows, string? catalogName)
    {
        Path = path; Columns = columns; Rows = rows; CatalogName = catalogName;
    }

    [GeneratedRegex(@"^\s*-\s*\{(?<body>.*)\}\s*$")]
    private static partial Regex FlowMapping();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<value>'(?:[^']|'')*'|""[^""]*""|[^,]*)")]
    private static partial Regex KeyValue();

    public int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public int RequireColumn(string name) =>
        IndexOf(name) is var i and >= 0 ? i : throw new FormatException($"{Path}: the ECSV table has no column '{name}'");

    public string GetString(int row, int column) => Rows[row][column];

    public double GetDouble(int row, int column)
    {
        string s = Rows[row][column];
        if (s.Length == 0 || s == "\"\"") return double.NaN;
        if (s.Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new FormatException($"{Path}: row {row + 1}, column '{Columns[column].Name}': '{s}' is not a number");
        return v;
    }

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not ECSV; the message names the file and line.</exception>
    public static EcsvTable Read(string path)
    {
        CatalogFiles.RequireExists(path);
        string full = System.IO.Path.GetFullPath(path);
        var lines = File.ReadAllLines(full);
        if (lines.Length == 0 || !lines[0].StartsWith("# %ECSV", StringComparison.Ordinal))
            throw new FormatException($"{full}: not an ECSV file (the first line must start with '# %ECSV')");

        var columns = new List<Column>();
        char delimiter = ' ';
        string? catalogName = null;
        int i = 1;
        bool inDatatype = false;
        for (; i < lines.Length && lines[i].StartsWith('#'); i++)
        {
            string yaml = lines[i].Length > 1 ? lines[i][1..] : "";
            if (yaml.StartsWith(' ')) yaml = yaml[1..];
            if (yaml.StartsWith("datatype:", StringComparison.Ordinal)) { inDatatype = true; continue; }
            if (yaml.StartsWith("delimiter:", StringComparison.Ordinal))
            {
                string d = Unquote(yaml["delimiter:".Length..].Trim());
                delimiter = d == "," ? ',' : ' ';
                inDatatype = false;
                continue;
            }
            var m = FlowMapping().Match(yaml);
            if (m.Success)
            {
                var map = ParseFlow(m.Groups["body"].Value);
                if (inDatatype && map.TryGetValue("name", out var name))
                    columns.Add(new Column(name, map.GetValueOrDefault("datatype") ?? "string", map.GetValueOrDefault("unit")));
                else if (map.TryGetValue("catalog_name", out var cn))
                    catalogName = cn;
                continue;
            }
            if (yaml.Length > 0 && !yaml.StartsWith(' ') && !yaml.StartsWith('-')) inDatatype = false;
        }
        if (columns.Count == 0) throw new FormatException($"{full}: the ECSV header declares no columns (no 'datatype:' list)");
        if (i >= lines.Length) throw new FormatException($"{full}: the ECSV file has no column-name line after its header");

        var headerNames = SplitLine(lines[i], delimiter, full, i + 1);
        if (headerNames.Length != columns.Count || !headerNames.Zip(columns).All(p => p.First == p.Second.Name))
            throw new FormatException($"{full}: line {i + 1}: the column names ({string.Join(' ', headerNames)}) do not match the header's datatype list ({string.Join(' ', columns.Select(c => c.Name))})");

        var rows = new List<string[]>();
        for (i++; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]) || lines[i].StartsWith('#')) continue;
            var fields = SplitLine(lines[i], delimiter, full, i + 1);
            if (fields.Length != columns.Count)
                throw new FormatException($"{full}: line {i + 1}: {fields.Length} values for {columns.Count} columns");
            rows.Add(fields);
        }
        return new EcsvTable(full, columns, rows, catalogName);
    }

    private static Dictionary<string, string> ParseFlow(string body)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match kv in KeyValue().Matches(body))
            map[kv.Groups["key"].Value] = Unquote(kv.Groups["value"].Value.Trim());
        return map;
    }

    private static string Unquote(string s)
    {
        if (s.Length >= 2 && s[0] == '\'' && s[^1] == '\'') return s[1..^1].Replace("''", "'");
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"') return s[1..^1];
        return s;
    }

    /// <summary>Splits one CSV line; double-quoted fields may hold the delimiter and "" for a quote.</summary>
    private static string[] SplitLine(string line, char delimiter, string path, int lineNumber)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int p = 0;
        while (true)
        {
            if (delimiter == ' ') while (p < line.Length && line[p] == ' ') p++;
            if (p >= line.Length) break;
            sb.Clear();
            if (line[p] == '"')
            {
                p++;
                while (true)
                {
                    if (p >= line.Length) throw new FormatException($"{path}: line {lineNumber}: unterminated quoted field");
                    if (line[p] == '"')
                    {
                        if (p + 1 < line.Length && line[p + 1] == '"') { sb.Append('"'); p += 2; continue; }
                        p++;
                        break;
                    }
                    sb.Append(line[p++]);
                }
                if (p < line.Length && line[p] != delimiter)
                    throw new FormatException($"{path}: line {lineNumber}: text after a closing quote");
            }
            else
            {
                while (p < line.Length && line[p] != delimiter) sb.Append(line[p++]);
            }
            fields.Add(sb.ToString());
            if (p < line.Length && line[p] == delimiter)
            {
                p++;
                if (delimiter != ' ' && p == line.Length) fields.Add("");
            }
        }
        return fields.ToArray();
    }
}
