using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GammapyTools.Config;

/// <summary>
/// Conversion of configuration values: YAML plain scalars resolved as PyYAML does (YAML 1.1: true/True/yes,
/// null/~/empty, ints, floats), values from .NET or PowerShell normalised to bool/int/long/double/string,
/// List&lt;object?&gt; and <see cref="ConfigSection"/>, and checks against a known key's type.
/// </summary>
public static partial class ConfigValues
{
    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")]
    private static partial Regex FloatPattern();

    /// <summary>The value of a plain (unquoted) YAML scalar.</summary>
    public static object? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON": return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF": return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF": return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF": return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN": return double.NaN;
        }
        if (IntPattern().IsMatch(text))
        {
            string digits = text.Replace("_", "");
            if (int.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)) return i;
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        }
        if (FloatPattern().IsMatch(text) && text.Any(char.IsDigit)
            && double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
        return text;
    }

    /// <summary>A double as YAML that PyYAML reads back as the same float (always with a '.', exponent signed).</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return ".nan";
        if (double.IsPositiveInfinity(d)) return ".inf";
        if (double.IsNegativeInfinity(d)) return "-.inf";
        string s = d.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? s : s[..e], exponent = e < 0 ? "" : s[e..];
        if (!mantissa.Contains('.')) mantissa += ".0";
        if (exponent.Length > 1 && exponent[1] != '+' && exponent[1] != '-') exponent = "e+" + exponent[1..];
        return mantissa + exponent.ToLowerInvariant();
    }

    /// <summary>Unwraps a PowerShell PSObject (by reflection: the core has no PowerShell reference).</summary>
    private static object? Unwrap(object? value)
    {
        while (value is not null && value.GetType().FullName == "System.Management.Automation.PSObject")
            value = value.GetType().GetProperty("BaseObject")!.GetValue(value);
        return value;
    }

    /// <summary>A value in the configuration's own types (no schema: unknown keys, items of lists).</summary>
    public static object? Normalize(object? value, string qualifiedName)
    {
        value = Unwrap(value);
        switch (value)
        {
            case null or bool or int or long or double or string: return value;
            case ConfigSection s: return s;
            case byte or sbyte or short or ushort: return Convert.ToInt32(value, CultureInfo.InvariantCulture);
            case uint u: return (long)u;
            case ulong ul: return ul <= long.MaxValue ? (long)ul : (double)ul;
            case float f: return (double)f;
            case decimal m: return (double)m;
            case char c: return c.ToString();
            case IDictionary dict:
            {
                var section = new ConfigSection(qualifiedName, null);
                foreach (DictionaryEntry entry in dict)
                    section.Set(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "", entry.Value);
                return section;
            }
            case IEnumerable list:
                return list.Cast<object?>().Select(x => Normalize(x, qualifiedName)).ToList();
            default:
                return Convert.ToString(value, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Checks and converts a value for a known key; null (not set) is always allowed.</summary>
    public static object? Coerce(ConfigKey key, object? value, string qualifiedName)
    {
        object? v = Normalize(value, qualifiedName);
        if (v is null) return null;
        ConfigException Wrong(string expected) =>
            new($"{qualifiedName}: expected {expected}, got {Describe(v)}", key: qualifiedName);
        object InRange(object number) => key.Range is null || key.Range.Contains(Convert.ToDouble(number, CultureInfo.InvariantCulture))
            ? number : throw Wrong($"a number {key.Range}");
        switch (key.Kind)
        {
            case ConfigValueKind.Bool:
                return v is bool ? v : throw Wrong("true or false");
            case ConfigValueKind.Int:
                return InRange(v switch
                {
                    int => v,
                    long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
                    double d when d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue => (int)d,
                    _ => throw Wrong("an integer"),
                });
            case ConfigValueKind.Long:
                return v switch
                {
                    int i => (long)i,
                    long => v,
                    double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => (long)d,
                    _ => throw Wrong("an integer"),
                };
            case ConfigValueKind.Double:
                object number = v switch { int i => (double)i, long l => (double)l, double => v, _ => throw Wrong("a number") };
                // 1e400 reads as infinity: no key of the config means anything with an infinite or NaN value.
                if (!double.IsFinite((double)number)) throw Wrong("a finite number");
                return InRange(number);
            case ConfigValueKind.String:
                return v switch
                {
                    string => v,
                    int or long or double => Convert.ToString(v, CultureInfo.InvariantCulture),
                    _ => throw Wrong("a string"),
                };
            case ConfigValueKind.Path:
                return v is string ? v : throw Wrong("a path (string)");
            case ConfigValueKind.RunList:
                if (v is string) return v;
                if (v is List<object?> runs)
                    return runs.Select((r, i) => r switch
                    {
                        int or long => r,
                        double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (object)(long)d,
                        _ => throw new ConfigException($"{qualifiedName}: item {i + 1} of the run list, {Describe(r)}, is not an OBS_ID (a whole number)", key: qualifiedName),
                    }).ToList();
                throw Wrong("a list of OBS_IDs or the path of a run-list file");
            case ConfigValueKind.List:
                return v is List<object?> ? v : throw Wrong("a list");
            case ConfigValueKind.Map:
                return v is ConfigSection ? v : throw Wrong("a mapping");
            case ConfigValueKind.Section:
                if (v is not ConfigSection given) throw Wrong("a mapping (section)");
                var section = new ConfigSection(qualifiedName, ConfigSchema.KeysOf(key.Name));
                foreach (var kv in given.Entries) section.Set(kv.Key, kv.Value);
                return section;
            default:
                return v;
        }
    }

    /// <summary>"the string 'five'", "the integer 3", "a list" … for error messages.</summary>
    public static string Describe(object? v) => v switch
    {
        null => "nothing (null)",
        bool b => $"the boolean {(b ? "true" : "false")}",
        int or long => $"the integer {v}",
        double d => $"the number {FormatDouble(d)}",
        string s => $"the string '{s}'",
        IDictionary => "a mapping",
        IList => "a list",
        _ => $"a {v.GetType().Name}",
    };

    /// <summary>A short display form (PowerShell's table view of a section).</summary>
    public static string Display(object? v) => v switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => FormatDouble(d),
        string s => s,
        ConfigSection s => s.ToString(),
        IList l => "[" + string.Join(", ", l.Cast<object?>().Select(Display)) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
