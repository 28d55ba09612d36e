namespace GammapyTools.Simulation;

/// <summary>
/// The VERITAS site (FLWO, Arizona) and the few astronomical formulas the simulation needs:
/// sidereal time, horizontal coordinates and the parallactic angle (field rotation).
/// Accurate to a small fraction of a degree, which is all a synthetic data set needs.
/// </summary>
public static class VeritasSite
{
    public const double Latitude = 31.675;     // deg N
    public const double Longitude = -110.952;  // deg E
    public const double Altitude = 1268.0;     // m
    public const double MinElevation = 40.0;
    public const double MaxElevationAllowed = 85.0;

    private const double Deg = Math.PI / 180.0;

    /// <summary>Highest elevation a declination reaches at the site (upper culmination).</summary>
    public static double MaxElevation(double dec) => 90.0 - Math.Abs(Latitude - dec);

    public static double ModifiedJulianDate(DateTime utc) => (utc - new DateTime(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc)).TotalDays;

    /// <summary>Local apparent-enough sidereal time in degrees (GMST + east longitude).</summary>
    public static double LocalSiderealTime(double mjd)
    {
        double jd = mjd + 2400000.5;
        double gmst = 280.46061837 + 360.98564736629 * (jd - 2451545.0);
        return Mod360(gmst + Longitude);
    }

    /// <summary>Elevation, azimuth (north = 0, east = 90) and parallactic angle (deg) of (ra, dec) at hour angle ha (deg).</summary>
    public static (double Alt, double Az, double Parallactic) Horizontal(double ha, double dec)
    {
        double h = ha * Deg, d = dec * Deg, phi = Latitude * Deg;
        double sh = Math.Sin(h), ch = Math.Cos(h), sd = Math.Sin(d), cd = Math.Cos(d), sp = Math.Sin(phi), cp = Math.Cos(phi);
        double alt = Math.Asin(Math.Clamp(sp * sd + cp * cd * ch, -1, 1)) / Deg;
        double az = Mod360(Math.Atan2(-cd * sh, sd * cp - cd * ch * sp) / Deg);
        double q = Math.Atan2(sh, Math.Tan(phi) * cd - sd * ch) / Deg;
        return (alt, az, q);
    }

    public static (double Alt, double Az, double Parallactic) Horizontal(double ra, double dec, double mjd) =>
        Horizontal(LocalSiderealTime(mjd) - ra, dec);

    internal static double Mod360(double x)
    {
        x %= 360.0;
        return x < 0 ? x + 360.0 : x;
    }
}
