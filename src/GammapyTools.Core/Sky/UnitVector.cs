namespace GammapyTools.Sky;

/// <summary>
/// A direction as a Cartesian vector (x towards lon 0, lat 0; y towards lon 90; z towards lat +90).
/// Rotations on the sphere are done on these vectors because they have no singularity at the poles.
/// </summary>
public readonly record struct UnitVector(double X, double Y, double Z)
{
    /// <summary>Builds the vector of a longitude/latitude pair in degrees.</summary>
    public static UnitVector FromLonLat(double lonDeg, double latDeg)
    {
        (double sinLon, double cosLon) = Math.SinCos(lonDeg * Angles.DegToRad);
        (double sinLat, double cosLat) = Math.SinCos(latDeg * Angles.DegToRad);
        return new UnitVector(cosLat * cosLon, cosLat * sinLon, sinLat);
    }

    /// <summary>
    /// Longitude in [0, 360) and latitude in [-90, 90], degrees. The vector need not be normalised.
    /// Latitude uses atan2 rather than asin so that it stays accurate next to the poles.
    /// </summary>
    public (double Lon, double Lat) ToLonLat()
    {
        double lon = Angles.Wrap360(Math.Atan2(Y, X) * Angles.RadToDeg);
        double lat = Math.Atan2(Z, Math.Sqrt(X * X + Y * Y)) * Angles.RadToDeg;
        return (lon, lat);
    }
}
