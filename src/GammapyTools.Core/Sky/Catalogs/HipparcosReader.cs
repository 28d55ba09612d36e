using System.Globalization;

namespace GammapyTools.Sky;

/// <summary>
/// Reads the Hipparcos bright-star list VERITAS analyses use (<c>Hipparcos_MAG8_1997.dat</c>):
/// a header line starting with '#' (<c>#_RAJ2000 _DEJ2000 HIP Vmag B-V</c>), then whitespace-separated
/// rows: RA and Dec (J2000, degrees), HIP number, V magnitude, B−V colour (may be blank).
/// </summary>
public static class HipparcosReader
{
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not a star; the message names the file and line.</exception>
    public static IReadOnlyList<StarEntry> Read(string path)
    {
        CatalogFiles.RequireExists(path);
        string full = Path.GetFullPath(path);
        var stars = new List<StarEntry>(45_000);
        int lineNumber = 0;
        Span<Range> parts = stackalloc Range[6];
        foreach (var line in File.ReadLines(full))
        {
            lineNumber++;
            var s = line.AsSpan().Trim();
            if (s.IsEmpty || s[0] == '#') continue;
            int n = s.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
            if (n < 4 || n > 5)
                throw new FormatException($"{full}: line {lineNumber}: expected RA Dec HIP Vmag [B-V], found {n} fields");
            double ra = Number(s[parts[0]], "RA"), dec = Number(s[parts[1]], "Dec"), v = Number(s[parts[3]], "Vmag");
            if (!int.TryParse(s[parts[2]], NumberStyles.Integer, CultureInfo.InvariantCulture, out int hip))
                throw new FormatException($"{full}: line {lineNumber}: HIP '{s[parts[2]].ToString()}' is not an integer");
            double bv = n == 5 ? Number(s[parts[4]], "B-V") : double.NaN;
            if (ra < 0 || ra > 360 || dec < -90 || dec > 90)
                throw new FormatException($"{full}: line {lineNumber}: position out of range (RA {ra}, Dec {dec})");
            stars.Add(new StarEntry(new SkyCoord(ra, dec), v, hip, bv));

            double Number(ReadOnlySpan<char> field, string what) =>
                double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
                    ? x
                    : throw new FormatException($"{full}: line {lineNumber}: {what} '{field.ToString()}' is not a number");
        }
        return stars;
    }
}
