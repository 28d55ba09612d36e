namespace GammapyTools.Sky;

/// <summary>Distances, directions and moves on the celestial sphere, all in degrees.</summary>
public static class SphericalGeometry
{
    /// <summary>
    /// Angular separation in degrees, [0, 180]. Vincenty's formula (as astropy's
    /// angular_separation): unlike the haversine or cosine forms it stays accurate
    /// both for nearly identical and for nearly antipodal positions.
    /// </summary>
    public static double Separation(SkyCoord a, SkyCoord b)
    {
        (double sinDLon, double cosDLon) = Math.SinCos((b.Ra - a.Ra) * Angles.DegToRad);
        (double sinLat1, double cosLat1) = Math.SinCos(a.Dec * Angles.DegToRad);
        (double sinLat2, double cosLat2) = Math.SinCos(b.Dec * Angles.DegToRad);
        double num1 = cosLat2 * sinDLon;
        double num2 = cosLat1 * sinLat2 - sinLat1 * cosLat2 * cosDLon;
        double den = sinLat1 * sinLat2 + cosLat1 * cosLat2 * cosDLon;
        return Math.Atan2(Math.Sqrt(num1 * num1 + num2 * num2), den) * Angles.RadToDeg;
    }

    /// <summary>
    /// Position angle of <paramref name="to"/> seen from <paramref name="from"/>: degrees east of
    /// north, in [0, 360). Same formula as astropy's position_angle; at a pole "north" is the
    /// direction of the pole's own RA, the same convention as <see cref="Offset"/>.
    /// </summary>
    public static double PositionAngle(SkyCoord from, SkyCoord to)
    {
        (double sinDLon, double cosDLon) = Math.SinCos((to.Ra - from.Ra) * Angles.DegToRad);
        (double sinLat1, double cosLat1) = Math.SinCos(from.Dec * Angles.DegToRad);
        (double sinLat2, double cosLat2) = Math.SinCos(to.Dec * Angles.DegToRad);
        double x = cosLat1 * sinLat2 - sinLat1 * cosLat2 * cosDLon;
        double y = sinDLon * cosLat2;
        return Angles.Wrap360(Math.Atan2(y, x) * Angles.RadToDeg);
    }

    /// <summary>
    /// The position reached by moving <paramref name="separation"/> degrees from
    /// <paramref name="from"/> along the great circle leaving it at <paramref name="positionAngle"/>
    /// (east of north) — astropy's directional_offset_by. Done as a rotation of unit vectors
    /// out of the offset frame of <paramref name="from"/>, which is exact everywhere, poles included.
    /// </summary>
    public static SkyCoord Offset(SkyCoord from, double separation, double positionAngle)
    {
        if (!double.IsFinite(separation) || !double.IsFinite(positionAngle))
            throw new ArgumentOutOfRangeException(nameof(separation), "Separation and position angle must be finite.");
        (double sinS, double cosS) = Math.SinCos(separation * Angles.DegToRad);
        (double sinP, double cosP) = Math.SinCos(positionAngle * Angles.DegToRad);
        // In the offset frame x points at the origin, y east, z north.
        var local = new UnitVector(cosS, sinS * sinP, sinS * cosP);
        return SkyCoord.FromUnitVector(Rotation3.ToOffsetFrame(from).Transpose().Apply(local));
    }
}
