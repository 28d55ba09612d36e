namespace GammapyTools.Sky;

/// <summary>
/// The re-pointing of DESIGN.md §5: moves events taken around <see cref="From"/> so that
/// each keeps its separation and position angle, now around <see cref="To"/>.
/// It is the single rotation M = R(to)⁻¹·R(from), where R(p) takes p to the offset-frame
/// origin with north up — the same as astropy's SkyOffsetFrame round trip, but one
/// matrix per event instead of two frame changes.
/// </summary>
public sealed class PointingRotation
{
    private readonly Rotation3 _matrix;

    public SkyCoord From { get; }
    public SkyCoord To { get; }

    public PointingRotation(SkyCoord from, SkyCoord to)
    {
        From = from;
        To = to;
        _matrix = Rotation3.ToOffsetFrame(to).Transpose() * Rotation3.ToOffsetFrame(from);
    }

    /// <summary>The rotation matrix, row-major, for diagnostics and tests.</summary>
    public double[,] Matrix => new[,]
    {
        { _matrix.M00, _matrix.M01, _matrix.M02 },
        { _matrix.M10, _matrix.M11, _matrix.M12 },
        { _matrix.M20, _matrix.M21, _matrix.M22 },
    };

    /// <summary>The rotation that undoes this one.</summary>
    public PointingRotation Inverse() => new(To, From);

    public SkyCoord Apply(SkyCoord coord) => SkyCoord.FromUnitVector(_matrix.Apply(coord.ToUnitVector()));

    /// <summary>
    /// Re-points a column of events (degrees). RA out is in [0, 360). Output spans may
    /// alias the inputs (in-place update). All four spans must have the same length.
    /// </summary>
    public void Apply(ReadOnlySpan<double> ra, ReadOnlySpan<double> dec, Span<double> raOut, Span<double> decOut) =>
        _matrix.Rotate(ra, dec, raOut, decOut, wrapAt360: true);

    /// <summary>Float columns (the type of GADF RA/DEC): computed in double, rounded once on output.</summary>
    public void Apply(ReadOnlySpan<float> ra, ReadOnlySpan<float> dec, Span<float> raOut, Span<float> decOut) =>
        _matrix.Rotate(ra, dec, raOut, decOut, wrapAt360: true);

    public override string ToString() => $"PointingRotation({From} -> {To})";
}
