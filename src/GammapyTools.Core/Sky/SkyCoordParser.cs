using System.Globalization;
using System.Text.RegularExpressions;

namespace GammapyTools.Sky;

/// <summary>
/// Reads the position strings users type (the formats astropy's SkyCoord accepts for
/// ICRS with unit=(hourangle, deg)). Kept strict: anything ambiguous is an error with a reason.
/// </summary>
internal static partial class SkyCoordParser
{
    private enum Unit { None, Hours, Degrees }

    // One component with unit letters: 05h34m31.94s, +22d00m52.2s, -0d30m, 22°00'52.2", 83.6deg.
    [GeneratedRegex(@"^(?<sign>[+-]?)\s*(?<a>\d+(\.\d*)?|\.\d+)\s*(?<unit>h|d|deg|°)\s*" +
                    @"(?:(?<b>\d+(\.\d*)?|\.\d+)\s*(m|')\s*" +
                    @"(?:(?<c>\d+(\.\d*)?|\.\d+)\s*(s|""|'')?)?)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LetterForm();

    // One component as 1–3 numbers separated by colons or spaces: 05:34:31.94, +22 00 52.2, 83.633.
    [GeneratedRegex(@"^(?<sign>[+-]?)\s*(?<a>\d+(\.\d*)?|\.\d+([eE][+-]?\d+)?|\d+(\.\d*)?[eE][+-]?\d+)" +
                    @"(?:(?:\s*:\s*|\s+)(?<b>\d+(\.\d*)?|\.\d+)" +
                    @"(?:(?:\s*:\s*|\s+)(?<c>\d+(\.\d*)?|\.\d+))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberForm();

    public static bool TryParse(string text, out SkyCoord coord, out string? error)
    {
        coord = default;
        if (!TrySplit(text.Trim(), out string raText, out string decText, out error))
            return false;
        if (!TryParseComponent(raText, isRa: true, out double ra, out error))
        {
            error = $"RA '{raText}': {error}";
            return false;
        }
        if (!TryParseComponent(decText, isRa: false, out double dec, out error))
        {
            error = $"Dec '{decText}': {error}";
            return false;
        }
        if (dec < -90.0 || dec > 90.0)
        {
            error = $"Dec {dec.ToString(CultureInfo.InvariantCulture)} is outside [-90, 90] degrees.";
            return false;
        }
        coord = new SkyCoord(ra, dec);
        return true;
    }

    /// <summary>
    /// True when the text is written as a coordinate (RA and Dec both read as angles) that is still not one:
    /// Dec outside [-90, 90]. Such a text is not a source name either, and the error should say why.
    /// </summary>
    public static bool IsCoordinateOutOfRange(string text, out string? error)
    {
        if (TryParse(text, out _, out error)) return false;
        return TrySplit(text.Trim(), out string ra, out string dec, out _)
            && TryParseComponent(ra, isRa: true, out _, out _) && TryParseComponent(dec, isRa: false, out _, out _);
    }

    /// <summary>Splits the text into its RA and Dec parts.</summary>
    private static bool TrySplit(string text, out string ra, out string dec, out string? error)
    {
        ra = dec = "";
        error = null;
        if (text.Length == 0)
        {
            error = "the text is empty.";
            return false;
        }
        int comma = text.IndexOf(',');
        if (comma >= 0)
        {
            if (text.IndexOf(',', comma + 1) >= 0)
            {
                error = "expected one comma between RA and Dec.";
                return false;
            }
            ra = text[..comma].Trim();
            dec = text[(comma + 1)..].Trim();
            return true;
        }

        string[] tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 2)
        {
            (ra, dec) = (tokens[0], tokens[1]);
            return true;
        }
        if (tokens.Length == 6)
        {
            // "05 34 31.94 +22 00 52.2": three sexagesimal fields each.
            ra = string.Join(' ', tokens[..3]);
            dec = string.Join(' ', tokens[3..]);
            return true;
        }
        // "05h 34m 31.94s +22d 00m 52.2s": Dec starts at the first signed token or the one with a degree unit.
        for (int i = 1; i < tokens.Length; i++)
        {
            string t = tokens[i];
            if (t[0] is '+' or '-' || t.Contains('d', StringComparison.OrdinalIgnoreCase) || t.Contains('°'))
            {
                ra = string.Join(' ', tokens[..i]);
                dec = string.Join(' ', tokens[i..]);
                return true;
            }
        }
        error = "expected two coordinates (RA and Dec) separated by a space or a comma.";
        return false;
    }

    private static bool TryParseComponent(string text, bool isRa, out double degrees, out string? error)
    {
        degrees = 0;
        error = null;
        Unit unit;
        Match m = LetterForm().Match(text);
        if (m.Success)
        {
            unit = char.ToLowerInvariant(m.Groups["unit"].Value[0]) == 'h' ? Unit.Hours : Unit.Degrees;
        }
        else
        {
            m = NumberForm().Match(text);
            if (!m.Success)
            {
                error = "not a number, 'hh:mm:ss', 'XXhYYmZZs' or '±DDdMMmSSs' value.";
                return false;
            }
            // A bare sexagesimal RA is hours (the astronomers' convention); a bare number is degrees.
            unit = m.Groups["b"].Success ? (isRa ? Unit.Hours : Unit.Degrees) : Unit.None;
        }

        if (unit == Unit.Hours && !isRa)
        {
            error = "hours are only meaningful for RA.";
            return false;
        }

        double a = double.Parse(m.Groups["a"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        double value = a;
        if (m.Groups["b"].Success)
        {
            if (!IsInteger(m.Groups["a"].Value))
            {
                error = "only the last sexagesimal field may have decimals.";
                return false;
            }
            double b = double.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture);
            if (b >= 60.0)
            {
                error = "minutes must be below 60.";
                return false;
            }
            value += b / 60.0;
            if (m.Groups["c"].Success)
            {
                if (!IsInteger(m.Groups["b"].Value))
                {
                    error = "only the last sexagesimal field may have decimals.";
                    return false;
                }
                double c = double.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture);
                if (c >= 60.0)
                {
                    error = "seconds must be below 60.";
                    return false;
                }
                value += c / 3600.0;
            }
        }

        if (unit == Unit.Hours)
        {
            if (value > 24.0)
            {
                error = "hours must be in [0, 24].";
                return false;
            }
            value *= 15.0;
        }
        // The sign is read from the text, not from the first field, so "-0d30m" is -0.5°.
        degrees = m.Groups["sign"].Value == "-" ? -value : value;
        if (!double.IsFinite(degrees))
        {
            error = "the value is not finite.";
            return false;
        }
        return true;
    }

    private static bool IsInteger(string s) => !s.Contains('.');
}
