using GammapyTools.Sky;

namespace GammapyTools.Background;

/// <summary>A circle on the sky whose events do not count towards a background model.</summary>
public sealed record ExclusionRegion(SkyCoord Center, double Radius, string? Name = null)
{
    public bool Contains(SkyCoord position) => SphericalGeometry.Separation(Center, position) < Radius;

    /// <summary>Parses "ra dec radius" (degrees) or "name radius"-less coordinates with a default radius.</summary>
    public static ExclusionRegion Parse(string text, double defaultRadius)
    {
        var parts = text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 3 && double.TryParse(parts[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double r))
            return new ExclusionRegion(SkyCoord.Parse(parts[0] + " " + parts[1]), r, text);
        return new ExclusionRegion(SkyCoord.Parse(text), defaultRadius, text);
    }

    public override string ToString() => $"{Name ?? Center.ToString()} r={Radius:0.###}°";
}

/// <summary>
/// Which regions to leave out of a background model: known gamma-ray sources (point-like: a fixed
/// radius; extended: three times their size, as gammapy-tools does), stars brighter than a
/// magnitude, and the user's own regions.
/// </summary>
public sealed record ExclusionOptions
{
    public CatalogSet? Catalogs { get; init; }
    public double PointSourceRadius { get; init; } = 0.35;
    public double ExtendedSourceFactor { get; init; } = 3.0;
    public double StarRadius { get; init; } = 0.35;
    public double StarMagnitudeLimit { get; init; } = 8.0;
    public IReadOnlyList<ExclusionRegion> UserRegions { get; init; } = [];

    /// <summary>The regions that matter for a field: every one whose circle reaches within <paramref name="fieldRadius"/> of the pointing.</summary>
    public IReadOnlyList<ExclusionRegion> ForField(SkyCoord pointing, double fieldRadius)
    {
        var regions = new List<ExclusionRegion>();
        if (Catalogs is not null)
        {
            foreach (var s in Catalogs.Sources)
            {
                double radius = s.ExtensionRadius is double ext && ext > 0 ? ExtendedSourceFactor * ext : PointSourceRadius;
                if (SphericalGeometry.Separation(pointing, s.Position) < fieldRadius + radius)
                    regions.Add(new ExclusionRegion(s.Position, radius, s.Name));
            }
            foreach (var star in Catalogs.StarsWithin(pointing, fieldRadius + StarRadius, StarMagnitudeLimit))
                regions.Add(new ExclusionRegion(star.Position, StarRadius, $"HIP {star.Hip}"));
        }
        foreach (var r in UserRegions)
            if (SphericalGeometry.Separation(pointing, r.Center) < fieldRadius + r.Radius) regions.Add(r);
        return regions;
    }
}
