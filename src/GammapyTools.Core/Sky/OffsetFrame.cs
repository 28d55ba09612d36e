namespace GammapyTools.Sky;

/// <summary>
/// Camera-independent offsets around a pointing: the lon/lat of astropy's
/// SkyOffsetFrame(origin = pointing) in degrees. Lon grows to the east, lat to the north;
/// lon is in [-180, 180] and the pointing itself is (0, 0).
/// </summary>
public static class OffsetFrame
{
    /// <summary>Offset-frame (lon, lat) of <paramref name="coord"/> around <paramref name="pointing"/>.</summary>
    public static (double Lon, double Lat) SkyOffset(SkyCoord pointing, SkyCoord coord)
    {
        (double lon, double lat) = Rotation3.ToOffsetFrame(pointing).Apply(coord.ToUnitVector()).ToLonLat();
        return (Angles.Wrap180(lon), lat);
    }

    /// <summary>The sky position at offset (<paramref name="lon"/>, <paramref name="lat"/>) around <paramref name="pointing"/>.</summary>
    public static SkyCoord FromSkyOffset(SkyCoord pointing, double lon, double lat)
    {
        if (!double.IsFinite(lon) || !double.IsFinite(lat) || lat < -90.0 || lat > 90.0)
            throw new ArgumentOutOfRangeException(nameof(lat), "Offsets must be finite and lat in [-90, 90].");
        return SkyCoord.FromUnitVector(Rotation3.ToOffsetFrame(pointing).Transpose().Apply(UnitVector.FromLonLat(lon, lat)));
    }

    /// <summary>Bulk <see cref="SkyOffset(SkyCoord, SkyCoord)"/>; outputs may alias inputs.</summary>
    public static void SkyOffset(SkyCoord pointing, ReadOnlySpan<double> ra, ReadOnlySpan<double> dec, Span<double> lon, Span<double> lat) =>
        Rotation3.ToOffsetFrame(pointing).Rotate(ra, dec, lon, lat, wrapAt360: false);

    /// <summary>Bulk <see cref="SkyOffset(SkyCoord, SkyCoord)"/> for float columns (computed in double).</summary>
    public static void SkyOffset(SkyCoord pointing, ReadOnlySpan<float> ra, ReadOnlySpan<float> dec, Span<float> lon, Span<float> lat) =>
        Rotation3.ToOffsetFrame(pointing).Rotate(ra, dec, lon, lat, wrapAt360: false);

    /// <summary>Bulk <see cref="FromSkyOffset(SkyCoord, double, double)"/>; RA out in [0, 360).</summary>
    public static void FromSkyOffset(SkyCoord pointing, ReadOnlySpan<double> lon, ReadOnlySpan<double> lat, Span<double> ra, Span<double> dec) =>
        Rotation3.ToOffsetFrame(pointing).Transpose().Rotate(lon, lat, ra, dec, wrapAt360: true);

    /// <summary>Bulk <see cref="FromSkyOffset(SkyCoord, double, double)"/> for float columns (computed in double).</summary>
    public static void FromSkyOffset(SkyCoord pointing, ReadOnlySpan<float> lon, ReadOnlySpan<float> lat, Span<float> ra, Span<float> dec) =>
        Rotation3.ToOffsetFrame(pointing).Transpose().Rotate(lon, lat, ra, dec, wrapAt360: true);
}
