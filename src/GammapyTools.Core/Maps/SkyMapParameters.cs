using System.Globalization;
using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// What a ring-background sky map is made with (DESIGN.md §8; gammapy-tools' <c>sky_map</c> config
/// section). Angles in degrees, energies in TeV. Defaults are the gammapy-tools template's where it
/// has one; <see cref="OffsetMax"/> (1.75°) and the energy range (0.1–100 TeV, the range of the
/// reference's counts axis) are this product's choices where the template leaves them open.
/// </summary>
public sealed record SkyMapParameters
{
    /// <summary>Map centre and the position σ is read at; null: the runs' RA_OBJ/DEC_OBJ.</summary>
    public SkyCoord? Position { get; init; }
    public double EnergyMin { get; init; } = 0.1;
    public double EnergyMax { get; init; } = 100.0;
    /// <summary>Logarithmic reconstructed-energy bins the background is integrated over; null: 10 per decade (at least 1).</summary>
    public int? EnergyBins { get; init; }
    public double Width { get; init; } = 2.5;
    public double BinSize { get; init; } = 0.02;
    /// <summary>Radius of the top-hat correlation (the ON region).</summary>
    public double Theta { get; init; } = 0.08944272;
    public double RingInnerRadius { get; init; } = 0.7;
    public double RingWidth { get; init; } = 0.1;
    /// <summary>Safe mask of each run: pixels closer than this to its pointing.</summary>
    public double OffsetMax { get; init; } = 1.75;
    /// <summary>Radius of the exclusion circle around <see cref="Position"/> (on_exclusion_region).</summary>
    public double ExclusionRadius { get; init; } = 0.35;
    /// <summary>Further excluded circles (exclusion_regions, -ExclusionRegion, catalog sources, stars).</summary>
    public IReadOnlyList<ExclusionRegion> ExclusionRegions { get; init; } = [];
    /// <summary>
    /// Catalog sources and bright stars to exclude as the background models do (their radii and
    /// magnitude limit); null: only <see cref="ExclusionRadius"/> and <see cref="ExclusionRegions"/>.
    /// Those within the map are added to the map's regions when it is made.
    /// </summary>
    public ExclusionOptions? CatalogExclusions { get; init; }
    /// <summary>Plots: significance colour scale truncated at ±5σ.</summary>
    public bool Truncate { get; init; } = true;

    /// <summary>The energy bins used: <see cref="EnergyBins"/> or 10 per decade.</summary>
    public int EffectiveEnergyBins => EnergyBins ?? Math.Max(1, (int)Math.Ceiling(10 * Math.Log10(EnergyMax / EnergyMin) - 1e-9));

    /// <summary>Logarithmic energy bin edges (TeV), as gammapy's <c>MapAxis.from_energy_bounds</c>.</summary>
    public double[] EnergyEdges()
    {
        int n = EffectiveEnergyBins;
        var edges = new double[n + 1];
        double l0 = Math.Log(EnergyMin), l1 = Math.Log(EnergyMax);
        for (int i = 0; i <= n; i++) edges[i] = Math.Exp(l0 + (l1 - l0) * i / n);
        edges[0] = EnergyMin; edges[n] = EnergyMax;
        return edges;
    }

    /// <summary>Checks the values against each other; the message names the parameter.</summary>
    public void Validate()
    {
        void Positive(double v, string name) { if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"{name} must be a positive number of degrees, not {v}"); }
        if (!(EnergyMin > 0) || !(EnergyMax > EnergyMin) || !double.IsFinite(EnergyMax))
            throw new ArgumentException($"the energy range {EnergyMin}–{EnergyMax} TeV is empty or not positive");
        Positive(Width, "the map width"); Positive(BinSize, "the bin size"); Positive(Theta, "theta");
        Positive(RingWidth, "the ring width"); Positive(OffsetMax, "offset_max");
        if (!(RingInnerRadius >= 0)) throw new ArgumentException($"the ring's inner radius must not be negative, not {RingInnerRadius}");
        if (!(ExclusionRadius >= 0)) throw new ArgumentException($"the exclusion radius must not be negative, not {ExclusionRadius}");
        if (BinSize > Width) throw new ArgumentException($"the bin size {BinSize}° is larger than the map ({Width}°)");
        // The ring must fit inside the map around its centre, or every pixel's OFF region is cut.
        if (RingInnerRadius + RingWidth >= Width / 2)
            throw new ArgumentException($"the ring (inner radius {RingInnerRadius}° + width {RingWidth}°) does not fit inside the {Width}° map: make the map wider than {2 * (RingInnerRadius + RingWidth):0.###}° or the ring smaller");
    }

    /// <summary>
    /// The parameters of a config's <c>sky_map</c> section (gammapy-tools keys: e_min, e_max, n_bins,
    /// map_deg, bin_sz / bin_size, theta, ring_rin, ring_width, offset_max, on_exclusion_region,
    /// exclusion_regions as [[ra, dec], radius] or [ra, dec, radius], truncate). Keys the section does
    /// not have keep the defaults above.
    /// </summary>
    public static SkyMapParameters FromConfig(GammapyToolsConfig config)
    {
        var p = new SkyMapParameters();
        if (config.Get("sky_map") is not ConfigSection s) return p;
        double? D(string key) => s.Get(key) is { } v ? Angle(v, "sky_map." + key, config.SourcePath) : null;
        return p with
        {
            EnergyMin = D("e_min") ?? p.EnergyMin,
            EnergyMax = D("e_max") ?? p.EnergyMax,
            EnergyBins = s.GetValue<int?>("n_bins") ?? p.EnergyBins,
            Width = D("map_deg") ?? p.Width,
            BinSize = D("bin_sz") ?? D("bin_size") ?? p.BinSize,
            Theta = D("theta") ?? p.Theta,
            RingInnerRadius = D("ring_rin") ?? p.RingInnerRadius,
            RingWidth = D("ring_width") ?? p.RingWidth,
            OffsetMax = D("offset_max") ?? p.OffsetMax,
            ExclusionRadius = D("on_exclusion_region") ?? p.ExclusionRadius,
            ExclusionRegions = Regions(s.Get("exclusion_regions"), config.SourcePath),
            Truncate = s.GetValue<bool?>("truncate") ?? p.Truncate,
        };
    }

    /// <summary>A number, or a string such as "0.7 deg" (gammapy-tools writes angles both ways).</summary>
    public static double Angle(object value, string key, string? file)
    {
        switch (value)
        {
            case double d: return d;
            case int or long or float or decimal: return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            case string text:
                var t = text.Trim();
                double scale = 1;
                foreach (var (unit, factor) in new[] { ("deg", 1.0), ("arcmin", 1 / 60.0), ("arcsec", 1 / 3600.0), ("TeV", 1.0) })
                    if (t.EndsWith(unit, StringComparison.OrdinalIgnoreCase)) { t = t[..^unit.Length].Trim(); scale = factor; break; }
                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)) return x * scale;
                break;
        }
        throw new ConfigException($"{key} = {ConfigValues.Display(value)}: expected a number of degrees (e.g. 0.7 or \"0.7 deg\")", file, key: key);
    }

    private static IReadOnlyList<ExclusionRegion> Regions(object? value, string? file)
    {
        if (value is not List<object?> list || list.Count == 0) return [];
        var regions = new List<ExclusionRegion>();
        const string key = "sky_map.exclusion_regions";
        ExclusionRegion Circle(object? ra, object? dec, object? radius) =>
            new(new SkyCoord(Angle(ra!, key, file), Angle(dec!, key, file)), Angle(radius!, key, file));
        foreach (var item in list)
        {
            // [[ra, dec], radius] (gammapy-tools) or [ra, dec, radius].
            if (item is List<object?> { Count: 2 } pair && pair[0] is List<object?> { Count: 2 } c) regions.Add(Circle(c[0], c[1], pair[1]));
            else if (item is List<object?> { Count: 3 } t) regions.Add(Circle(t[0], t[1], t[2]));
            else if (item is string text) regions.Add(ExclusionRegion.Parse(text, 0.35));
            else throw new ConfigException($"{key}: {ConfigValues.Display(item)} is not [[ra, dec], radius] or [ra, dec, radius]", file, key: key);
        }
        return regions;
    }
}
