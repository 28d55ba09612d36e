namespace GammapyTools.Sky;

/// <summary>Degree/radian helpers shared by the sky types.</summary>
internal static class Angles
{
    public const double DegToRad = Math.PI / 180.0;
    public const double RadToDeg = 180.0 / Math.PI;

    /// <summary>
    /// Wraps a longitude into [0, 360). The explicit check after adding 360 matters:
    /// a tiny negative value such as -1e-14 plus 360 rounds to exactly 360.
    /// </summary>
    public static double Wrap360(double degrees)
    {
        double r = degrees % 360.0;
        if (r < 0) r += 360.0;
        return r >= 360.0 ? 0.0 : r;
    }

    /// <summary>Wraps a longitude into [-180, 180) — the convention of astropy's SkyOffsetFrame.</summary>
    public static double Wrap180(double degrees)
    {
        double r = Wrap360(degrees);
        return r >= 180.0 ? r - 360.0 : r;
    }
}
