using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// A stacked ring-background sky map and what gammapy-tools reads off it (DESIGN.md §8): the
/// maps (row-major images of <see cref="Geometry"/>), the significance at the target and the
/// Gaussian fit of the significances of safe pixels outside the exclusion regions. Pixels that are
/// not safe (outside every run's offset_max, or without OFF acceptance) hold NaN in the correlated
/// maps, as in gammapy's ExcessMapEstimator output.
/// </summary>
public sealed class SkyMap
{
    public required SkyMapParameters Parameters { get; init; }
    public required WcsGeometry Geometry { get; init; }
    /// <summary>The map centre, where σ is read.</summary>
    public required SkyCoord Target { get; init; }
    /// <summary>OBS_IDs of the runs stacked into the map.</summary>
    public required IReadOnlyList<long> ObsIds { get; init; }
    /// <summary>Where the map's runs came from (a data store folder or files), for tables and plots.</summary>
    public string? Source { get; init; }

    // Uncorrelated, stacked, summed over the energy range.
    public required double[] Counts { get; init; }
    /// <summary>Predicted background counts (the runs' models × observation time), the ring's acceptance.</summary>
    public required double[] Background { get; init; }
    /// <summary>True where a pixel counts for the ring (outside every exclusion region).</summary>
    public required bool[] Exclusion { get; init; }
    /// <summary>True where the map is safe: inside some run's offset_max and with OFF acceptance.</summary>
    public required bool[] Safe { get; init; }
    public required double[] CountsOff { get; init; }
    public required double[] AcceptanceOff { get; init; }

    // Correlated with the top-hat of radius θ; NaN where not safe.
    /// <summary>ON counts in the top-hat around each pixel.</summary>
    public required double[] CountsOn { get; init; }
    public required double[] Alpha { get; init; }
    /// <summary>Expected background in the top-hat: α × OFF counts.</summary>
    public required double[] BackgroundOn { get; init; }
    public required double[] Excess { get; init; }
    /// <summary>Signed Li &amp; Ma significance (gammapy's sqrt_ts of WStat).</summary>
    public required double[] Significance { get; init; }

    // Read off the maps, at the pixel that holds the target (see WcsGeometry.PixelOf).
    public double SignificanceAtTarget { get; init; }
    public double CountsAtTarget { get; init; }
    public double BackgroundAtTarget { get; init; }
    public double ExcessAtTarget { get; init; }
    public double AlphaAtTarget { get; init; }
    /// <summary>Mean of the off-exclusion significances (the Gaussian fit's μ, as scipy's norm.fit).</summary>
    public double OffMean { get; init; }
    /// <summary>Standard deviation of the off-exclusion significances (the fit's σ; population, as norm.fit).</summary>
    public double OffWidth { get; init; }
    public int OffPixels { get; init; }
    public double OffFractionAbove3 { get; init; }
    /// <summary>The largest |σ| outside the exclusion regions (signed), and where it is.</summary>
    public double MaxOffSignificance { get; init; }
    public SkyCoord? MaxOffPosition { get; init; }

    public int RunCount => ObsIds.Count;

    /// <summary>Significances of the safe pixels outside the exclusions (what the fit is made of).</summary>
    public double[] OffSignificances()
    {
        var list = new List<double>(OffPixels);
        for (int i = 0; i < Significance.Length; i++)
            if (Exclusion[i] && double.IsFinite(Significance[i])) list.Add(Significance[i]);
        return list.ToArray();
    }

    /// <summary>Significances of every safe pixel.</summary>
    public double[] AllSignificances() => Significance.Where(double.IsFinite).ToArray();

    public override string ToString() =>
        $"SkyMap {Target}: σ={SignificanceAtTarget:0.00} at target, off μ={OffMean:0.000} width={OffWidth:0.000} ({RunCount} runs)";
}
