using System.Globalization;
using System.Text.RegularExpressions;

namespace GammapyTools.Fits;

/// <summary>
/// FITS times as astropy reads them (astropy.time format "fits"): date strings
/// <c>[±Y]YYYY-MM-DD[Thh:mm:ss[.sss]]</c> — the fraction may be empty (<c>'2012-10-13T10:52:08.'</c>,
/// VERITAS obs-index files), an old-style <c>(UTC)</c> scale suffix is accepted — and times counted
/// from MJDREFI/MJDREFF in TIMEUNIT on the TIMESYS scale. Results are UTC <see cref="DateTime"/>s.
/// </summary>
public static partial class FitsTime
{
    [GeneratedRegex(@"^(?<y>[+-]?\d{4,5})-(?<mo>\d{2})-(?<d>\d{2})(T(?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(\.(?<f>\d*))?)?(\((?<scale>[A-Za-z]+)\))?$")]
    private static partial Regex DatePattern();

    private static readonly DateTime MjdZero = new(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// A FITS date string as a UTC instant, or null when it is not one. A separate time
    /// (H.E.S.S. writes DATE-OBS '2004-03-26' and TIME-OBS '02:57:46.184') is joined to a date
    /// without one. A leap second (:60) is the last tick of its minute (DateTime has no leap seconds).
    /// </summary>
    public static DateTime? ParseDate(string? date, string? time = null)
    {
        if (string.IsNullOrWhiteSpace(date)) return null;
        string text = date.Trim();
        if (!text.Contains('T') && !string.IsNullOrWhiteSpace(time)) text += "T" + time.Trim();
        var m = DatePattern().Match(text);
        if (!m.Success) return null;
        int I(string g) => int.Parse(m.Groups[g].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int year = I("y"), month = I("mo"), day = I("d");
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var result = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
        if (m.Groups["h"].Success)
        {
            int h = I("h"), mi = I("mi"), s = I("s");
            if (h > 23 || mi > 59 || s > 60) return null;
            string f = m.Groups["f"].Value;
            long ticks = f.Length == 0 ? 0 : (long)Math.Round(double.Parse("0." + f, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond);
            result = result.AddHours(h).AddMinutes(mi);
            result = s == 60
                ? result.AddSeconds(60).AddTicks(-1)
                : result.AddSeconds(s).AddTicks(Math.Min(ticks, TimeSpan.TicksPerSecond - 1));
        }
        string scale = m.Groups["scale"].Success ? m.Groups["scale"].Value : "UTC";
        return ToUtc(result, scale);
    }

    /// <summary>
    /// The instant <paramref name="value"/> (in TIMEUNIT: s, min, h, d; default s) after the
    /// reference MJD (MJDREFI + MJDREFF, or MJDREF) on the TIMESYS scale (TT, TAI, TDB, GPS, UTC;
    /// default TT, the FITS default for these keys), as UTC. Null when the header lacks the reference
    /// or names a unit or scale not handled here.
    /// </summary>
    public static DateTime? FromMet(double? value, Func<string, double?> number, Func<string, string?> text)
    {
        if (value is not double v || !double.IsFinite(v) || Reference(number, text) is not { } r) return null;
        double seconds = (v + (number("TIMEZERO") ?? 0.0)) * r.Unit;
        // Elapsed SI seconds, as astropy adds them: counted on TAI, so leap seconds after a UTC reference count too.
        return FromTai(r.ZeroTai.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)));
    }

    /// <summary>The inverse of <see cref="FromMet"/>: a UTC instant as a time after the reference these keys give (without TIMEZERO).</summary>
    public static double? ToMet(DateTime utc, Func<string, double?> number, Func<string, string?> text)
    {
        if (Reference(number, text) is not { } r) return null;
        return (utc.AddSeconds(TaiMinusUtc(utc)) - r.ZeroTai).Ticks / (double)TimeSpan.TicksPerSecond / r.Unit;
    }

    /// <summary>The reference instant as a TAI clock reading and the unit in seconds, from MJDREFI/MJDREFF (or MJDREF), TIMEUNIT, TIMESYS.</summary>
    private static (DateTime ZeroTai, double Unit)? Reference(Func<string, double?> number, Func<string, string?> text)
    {
        double? refI = number("MJDREFI"), refF = number("MJDREFF"), single = number("MJDREF");
        if (refI is null && refF is null && single is null) return null;
        double unit = (text("TIMEUNIT")?.Trim().ToLowerInvariant() ?? "s") switch
        {
            "s" or "" => 1.0,
            "min" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => double.NaN,
        };
        if (double.IsNaN(unit)) return null;
        // Integer and fractional parts separately keep the microseconds that one double MJD would lose.
        double whole = refI ?? Math.Floor(single ?? 0.0), frac = refI is null && refF is null ? single!.Value - whole : refF ?? 0.0;
        var zero = MjdZero.AddDays(whole).AddTicks((long)Math.Round(frac * 86400.0 * TimeSpan.TicksPerSecond));
        if (ToUtc(zero, text("TIMESYS") ?? "TT") is not DateTime zeroUtc) return null;
        return (zeroUtc.AddSeconds(TaiMinusUtc(zeroUtc)), unit);
    }

    /// <summary>An MJD (MJD-OBS) on the TIMESYS scale (default UTC, the FITS default for DATE-OBS/MJD-OBS) as UTC.</summary>
    public static DateTime? FromMjd(double? mjd, string? timeSys)
    {
        if (mjd is not double v || !double.IsFinite(v)) return null;
        double whole = Math.Floor(v);
        return ToUtc(MjdZero.AddDays(whole).AddTicks((long)Math.Round((v - whole) * 86400.0 * TimeSpan.TicksPerSecond)), timeSys ?? "UTC");
    }

    /// <summary>Converts a clock reading on a time scale to UTC (TDB is taken as TT: they differ by &lt; 2 ms).</summary>
    private static DateTime? ToUtc(DateTime onScale, string scale)
    {
        switch (scale.Trim().ToUpperInvariant())
        {
            case "UTC" or "" or "Z": return onScale;
            case "TT" or "TDT" or "TDB" or "ET": return FromTai(onScale.AddTicks(-(long)(32.184 * TimeSpan.TicksPerSecond)));
            case "TAI" or "IAT": return FromTai(onScale);
            case "GPS": return FromTai(onScale.AddSeconds(19));
            default: return null;
        }
    }

    private static DateTime FromTai(DateTime tai)
    {
        // TAI − UTC changes at the leap seconds: evaluate at the UTC estimate, then once more.
        var utc = tai.AddSeconds(-TaiMinusUtc(tai));
        return tai.AddSeconds(-TaiMinusUtc(utc));
    }

    /// <summary>TAI − UTC in seconds (IERS Bulletin C; 10 s before 1972, as there is no integer offset then).</summary>
    public static int TaiMinusUtc(DateTime utc)
    {
        int offset = 10;
        foreach (var (start, value) in LeapSeconds)
        {
            if (utc < start) break;
            offset = value;
        }
        return offset;
    }

    private static readonly (DateTime Start, int Offset)[] LeapSeconds =
    [
        (D(1972, 7), 11), (D(1973, 1), 12), (D(1974, 1), 13), (D(1975, 1), 14), (D(1976, 1), 15), (D(1977, 1), 16),
        (D(1978, 1), 17), (D(1979, 1), 18), (D(1980, 1), 19), (D(1981, 7), 20), (D(1982, 7), 21), (D(1983, 7), 22),
        (D(1985, 7), 23), (D(1988, 1), 24), (D(1990, 1), 25), (D(1991, 1), 26), (D(1992, 7), 27), (D(1993, 7), 28),
        (D(1994, 7), 29), (D(1996, 1), 30), (D(1997, 7), 31), (D(1999, 1), 32), (D(2006, 1), 33), (D(2009, 1), 34),
        (D(2012, 7), 35), (D(2015, 7), 36), (D(2017, 1), 37),
    ];

    private static DateTime D(int year, int month) => new(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
}
