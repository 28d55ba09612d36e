using GammapyTools.Background;
using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// Sky-map parameters given explicitly (New-SkyMap's and Test-MimicDataset's -EnergyMin … -ExclusionRegion):
/// each one that is set replaces the value the config's <c>sky_map</c> section (or the default) gives.
/// Kept apart from <see cref="SkyMapParameters"/> so that both cmdlets apply the same rule.
/// </summary>
public sealed record SkyMapOverrides
{
    public SkyCoord? Position { get; init; }
    public double? EnergyMin { get; init; }
    public double? EnergyMax { get; init; }
    public int? EnergyBins { get; init; }
    public double? Width { get; init; }
    public double? BinSize { get; init; }
    public double? Theta { get; init; }
    public double? RingInnerRadius { get; init; }
    public double? RingWidth { get; init; }
    public double? OffsetMax { get; init; }
    public double? ExclusionRadius { get; init; }
    /// <summary>Replaces the config's exclusion_regions (not added to them), as every other override replaces its key.</summary>
    public IReadOnlyList<ExclusionRegion>? ExclusionRegions { get; init; }

    /// <summary>Catalog sources and stars to exclude as well (New-SkyMap -ExcludeKnownSources).</summary>
    public ExclusionOptions? CatalogExclusions { get; init; }

    /// <summary><paramref name="p"/> with every value set here replacing its own.</summary>
    public SkyMapParameters ApplyTo(SkyMapParameters p) => p with
    {
        Position = Position ?? p.Position,
        EnergyMin = EnergyMin ?? p.EnergyMin,
        EnergyMax = EnergyMax ?? p.EnergyMax,
        EnergyBins = EnergyBins ?? p.EnergyBins,
        Width = Width ?? p.Width,
        BinSize = BinSize ?? p.BinSize,
        Theta = Theta ?? p.Theta,
        RingInnerRadius = RingInnerRadius ?? p.RingInnerRadius,
        RingWidth = RingWidth ?? p.RingWidth,
        OffsetMax = OffsetMax ?? p.OffsetMax,
        ExclusionRadius = ExclusionRadius ?? p.ExclusionRadius,
        ExclusionRegions = ExclusionRegions ?? p.ExclusionRegions,
        CatalogExclusions = CatalogExclusions ?? p.CatalogExclusions,
    };

    /// <summary>
    /// Exclusion circles from text: "ra dec radius" (degrees), or "ra dec" with
    /// <paramref name="defaultRadius"/>. The message names the text that is not one.
    /// </summary>
    /// <exception cref="FormatException">A text is not a position (with a radius).</exception>
    public static IReadOnlyList<ExclusionRegion> ParseRegions(IEnumerable<string> texts, double defaultRadius)
    {
        var regions = new List<ExclusionRegion>();
        foreach (string text in texts)
        {
            ExclusionRegion region;
            try { region = ExclusionRegion.Parse(text, defaultRadius); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new FormatException($"exclusion region '{text}' is not 'ra dec radius' in degrees (e.g. '83.63 22.01 0.3'): {e.Message}", e);
            }
            if (!(region.Radius > 0) || !double.IsFinite(region.Radius))
                throw new FormatException($"exclusion region '{text}': the radius must be a positive number of degrees");
            regions.Add(region);
        }
        return regions;
    }
}
