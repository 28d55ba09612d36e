namespace GammapyTools.Config;

/// <summary>The type a known configuration key must have.</summary>
public enum ConfigValueKind
{
    /// <summary>A nested mapping of known keys (a section such as io or background_selection).</summary>
    Section,
    Bool,
    Int,
    Double,
    String,
    /// <summary>A file or folder; relative paths are relative to the config file's folder.</summary>
    Path,
    /// <summary>A YAML sequence (any items).</summary>
    List,
    /// <summary>A YAML mapping with free keys (e.g. bkg_runlist: target → background runs).</summary>
    Map,
    /// <summary>A run list: a sequence of OBS_IDs or the path of a text file with one OBS_ID a line.</summary>
    RunList,
    /// <summary>A 64-bit integer (a seed).</summary>
    Long,
}

/// <summary>
/// The values a numeric key may take: [Min, Max], the minimum excluded when <paramref name="MinExclusive"/>.
/// Numbers outside it are refused when the config is read or a key is set, before any work.
/// </summary>
public sealed record ConfigRange(double Min, double Max, bool MinExclusive = false)
{
    public bool Contains(double v) => (MinExclusive ? v > Min : v >= Min) && v <= Max;
    public override string ToString() => (MinExclusive ? "greater than " : "at least ") + ConfigValues.Display(Min) +
        (double.IsPositiveInfinity(Max) ? "" : " and at most " + ConfigValues.Display(Max));
}

/// <summary>One known key: its type, its default (null = absent unless set), what it means and, for numbers, its range.</summary>
public sealed record ConfigKey(string Name, ConfigValueKind Kind, object? Default, string Description, bool InTemplate = true,
    ConfigRange? Range = null)
{
    public bool IsPath => Kind is ConfigValueKind.Path or ConfigValueKind.RunList;
}

/// <summary>
/// The gammapy-tools configuration keys (its template gammapy_tools/templates/config.py, docs/config.md
/// and the example configs), with the same names and the template's defaults as get_config() gives
/// them (nsb_diff 1.5, el_diff 1, az_diff 45, time_max 180, same_szn true, smooth true,
/// smooth_sigma 1, time_request 50, e_bins 10, njobs 16, store_KL false; docs/config.md documents
/// other values for some of them: see README "Where this differs"), plus the keys this product adds
/// (n_mimic, questionable, bright_sources, store_KL …). Keys not listed here are unknown: kept as
/// they are and reported with a warning on load.
/// </summary>
public static class ConfigSchema
{
    /// <summary>Most mimic datasets a campaign makes (background_selection.n_mimic): each is a folder with a copy of every target run.</summary>
    public const int MaxMimicDatasets = 1000;

    public static readonly IReadOnlyList<ConfigKey> Io =
    [
        new("search_datastore", ConfigValueKind.Path, "/path/to/datastore/", "data store searched for background (mimic) runs"),
        new("in_dir", ConfigValueKind.Path, "/path/to/input_dir/", "data store of the analysis runs (without background models)"),
        new("out_dir", ConfigValueKind.Path, "/path/to/output_dir/", "where runs with background models and mimic datasets are written"),
        new("results_dir", ConfigValueKind.Path, "/path/to/results_dir/", "where high-level results are written"),
        new("from_run", ConfigValueKind.Bool, false, "build each run's background from the run itself"),
        new("use_runlist", ConfigValueKind.Bool, false, "analyse only the runs of the run list"),
        new("from_runlist", ConfigValueKind.Bool, null, "analyse runs from a run list rather than all runs of the store", InTemplate: false),
        new("runlist", ConfigValueKind.RunList, null, "run list: OBS_IDs, or a text file with one OBS_ID a line", InTemplate: false),
        new("3d_bkg", ConfigValueKind.Bool, null, "build bkg_3d instead of bkg_2d models", InTemplate: false),
    ];

    public static readonly IReadOnlyList<ConfigKey> Binning =
    [
        new("e_min", ConfigValueKind.Double, 0.1, "lowest energy of the background model (TeV)", Range: new ConfigRange(0, 1e6, MinExclusive: true)),
        new("e_max", ConfigValueKind.Double, 100.0, "highest energy of the background model (TeV)", Range: new ConfigRange(0, 1e6, MinExclusive: true)),
        new("e_bins", ConfigValueKind.Int, 10, "number of logarithmic energy bins", Range: new ConfigRange(1, 10_000)),
        new("off_min", ConfigValueKind.Double, 0.0, "smallest offset from the camera centre (deg)", Range: new ConfigRange(0, 180)),
        new("off_max", ConfigValueKind.Double, 2.5, "largest offset from the camera centre (deg)", Range: new ConfigRange(0, 180, MinExclusive: true)),
        new("off_bins", ConfigValueKind.Int, 5, "number of linear offset bins", Range: new ConfigRange(1, 10_000)),
    ];

    public static readonly IReadOnlyList<ConfigKey> ConfigSection =
    [
        new("njobs", ConfigValueKind.Int, 16, "parallel jobs (-1: all cores)"),
        new("cache_dir", ConfigValueKind.Path, null, "folder of the background-model index (default $XDG_CACHE_HOME/gammapytools or ~/.cache/gammapytools)", InTemplate: false),
    ];

    public static readonly IReadOnlyList<ConfigKey> Exclusion =
    [
        new("star_cat", ConfigValueKind.Path, "./Hipparcos_MAG8_1997.dat", "bright-star catalog"),
        new("exclude_source_name", ConfigValueKind.List, null, "[name, radius] of sources to exclude"),
        new("exclude_regions", ConfigValueKind.List, null, "[ra, dec, radius] (deg) of regions to exclude"),
        new("exclude_source_pos", ConfigValueKind.List, null, "[ra, dec, radius] of a source to exclude", InTemplate: false),
        new("exclude_source_run", ConfigValueKind.List, null, "[ra, dec, distance]: drop whole runs pointed this close", InTemplate: false),
        new("exclusion_regions", ConfigValueKind.List, null, "exclusion regions", InTemplate: false),
    ];

    public static readonly IReadOnlyList<ConfigKey> BackgroundSelection =
    [
        new("el_min", ConfigValueKind.Double, null, "lowest elevation of background runs (deg)", InTemplate: false, Range: new ConfigRange(-90, 90)),
        new("el_max", ConfigValueKind.Double, null, "highest elevation of background runs (deg)", InTemplate: false, Range: new ConfigRange(-90, 90)),
        new("nsb_diff", ConfigValueKind.Double, 1.5, "largest NSB difference to the target run", Range: new ConfigRange(0, double.PositiveInfinity)),
        new("el_diff", ConfigValueKind.Double, 1.0, "largest difference of 1/sin(elevation) to the target run", Range: new ConfigRange(0, double.PositiveInfinity)),
        new("al_diff", ConfigValueKind.Double, null, "older spelling of el_diff", InTemplate: false, Range: new ConfigRange(0, double.PositiveInfinity)),
        new("az_diff", ConfigValueKind.Double, 45.0, "largest azimuth difference, on the circle (deg)", Range: new ConfigRange(0, 360)),
        new("n_tels", ConfigValueKind.Int, 4, "number of telescopes (also spelled n_tel)", Range: new ConfigRange(1, 1000)),
        new("n_tel", ConfigValueKind.Int, null, "spelling of n_tels used by some configs", InTemplate: false, Range: new ConfigRange(1, 1000)),
        new("time_max", ConfigValueKind.Double, 180.0, "largest time between runs (days)", Range: new ConfigRange(0, double.PositiveInfinity)),
        new("same_szn", ConfigValueKind.Bool, true, "background runs from the target's season"),
        new("time_request", ConfigValueKind.Double, 50.0, "hours of background runs for a background model", Range: new ConfigRange(0, double.PositiveInfinity, MinExclusive: true)),
        new("smooth", ConfigValueKind.Bool, true, "smooth the background model"),
        new("smooth_sigma", ConfigValueKind.Double, 1.0, "width of the Gaussian smoothing kernel (bins)", Range: new ConfigRange(0, double.PositiveInfinity)),
        new("KL_DIV", ConfigValueKind.Bool, true, "rank background runs by KL divergence"),
        new("store_KL", ConfigValueKind.Bool, false, "store per-target KL tables as <obs>_kl.fits"),
        new("n_mimic", ConfigValueKind.Int, 5, "number of mimic datasets", Range: new ConfigRange(1, MaxMimicDatasets)),
        new("bright_sources", ConfigValueKind.List, new List<object?>(), "OBJECT names whose runs are never background runs"),
        new("bkg_runlist", ConfigValueKind.Map, null, "explicit background runs per target: {target: [runs]}", InTemplate: false),
        new("mimic_seed", ConfigValueKind.Long, null, "seed the mimic datasets were made with (written by Invoke-MimicDataset; a rerun into the same out_dir must use it)", InTemplate: false),
        new("questionable", ConfigValueKind.List, new List<object?>(), "[obs_id, reason] of targets without good mimic runs (written by Invoke-MimicDataset)"),
        new("shared_background_runs", ConfigValueKind.List, null, "[obs_id, distinct background runs, datasets] of targets whose mimic datasets share background runs, so are not independent (written by Invoke-MimicDataset)", InTemplate: false),
        // Candidate hygiene (this product; DESIGN.md §5 "Candidate hygiene").
        new("scramble_theta", ConfigValueKind.Double, 0.3, "radius of the circle scrambled around each background run's sources (deg)"),
        new("exclude_target_fov", ConfigValueKind.Bool, true, "never a background run whose field of view (binning.off_max + sky_map.on_exclusion_region) holds a run-list source"),
        new("exclude_runlist_objects", ConfigValueKind.Bool, true, "never a background run whose OBJECT is a run-list object"),
        new("max_scramble_significance", ConfigValueKind.Double, 3.0, "refuse background runs with a larger excess (Li & Ma sigma) at a position they would scramble; null: not measured"),
        new("unique_per_dataset", ConfigValueKind.Bool, true, "a background run serves at most one target per mimic dataset while unused candidates remain"),
    ];

    public static readonly IReadOnlyList<ConfigKey> RunSelection =
    [
        new("runlist", ConfigValueKind.RunList, new List<object?> { 64080, 64081, 64082, 64083 }, "runs of interest: OBS_IDs or a run-list file"),
        new("run_list", ConfigValueKind.RunList, null, "spelling of runlist", InTemplate: false),
        new("missing_runs", ConfigValueKind.List, null, "runs of the run list missing from the data store", InTemplate: false),
        new("use_name", ConfigValueKind.Bool, false, "find the source position by name"),
        new("source_name", ConfigValueKind.String, "Crab", "name of the source of interest"),
        new("pos_from_DL3", ConfigValueKind.Bool, null, "take the source position from the DL3 header", InTemplate: false),
        new("source_ra", ConfigValueKind.Double, 83.6333, "source right ascension (deg, J2000)"),
        new("source_dec", ConfigValueKind.Double, 22.0133, "source declination (deg, J2000)"),
        new("coords", ConfigValueKind.List, null, "coordinates to search around", InTemplate: false),
        new("coords_galactic", ConfigValueKind.List, null, "Galactic coordinates to search around", InTemplate: false),
        new("offset_max", ConfigValueKind.Double, 1.5, "largest offset of selected runs (deg)"),
        new("n_tel", ConfigValueKind.Int, 4, "number of telescopes of selected runs"),
        new("n_tels", ConfigValueKind.Int, null, "spelling of n_tel", InTemplate: false),
        new("el_min", ConfigValueKind.Double, 40.0, "lowest elevation of selected runs (deg)"),
        new("el_max", ConfigValueKind.Double, null, "highest elevation of selected runs (deg)", InTemplate: false),
        new("time_min", ConfigValueKind.String, null, "first date (d/m/y)", InTemplate: false),
        new("time_max", ConfigValueKind.String, null, "last date (d/m/y)", InTemplate: false),
    ];

    public static readonly IReadOnlyList<ConfigKey> Spectrum =
    [
        new("e_min", ConfigValueKind.Double, 0.2, "lowest energy of the spectrum (TeV)"),
        new("e_max", ConfigValueKind.Double, 10.0, "highest energy of the spectrum (TeV)"),
        new("e_bins", ConfigValueKind.Int, 10, "number of spectral bins", Range: new ConfigRange(1, 10_000)),
        new("type", ConfigValueKind.String, "PL", "spectral model"),
        new("params", ConfigValueKind.List, new List<object?> { 3.48e-11, 2.4 }, "initial spectral parameters"),
    ];

    public static readonly IReadOnlyList<ConfigKey> Lightcurve =
    [
        new("bin_size_min", ConfigValueKind.Double, 1000.0, "light-curve bin size (minutes)"),
    ];

    public static readonly IReadOnlyList<ConfigKey> SkyMap =
    [
        new("e_min", ConfigValueKind.Double, null, "lowest energy of the sky map (TeV)", InTemplate: false),
        new("e_max", ConfigValueKind.Double, null, "highest energy of the sky map (TeV)", InTemplate: false),
        new("n_bins", ConfigValueKind.Int, null, "energy bins of the sky map", InTemplate: false, Range: new ConfigRange(1, 10_000)),
        new("map_deg", ConfigValueKind.Double, 2.5, "sky map size (deg)"),
        new("bin_sz", ConfigValueKind.Double, null, "sky map pixel size (deg)", InTemplate: false),
        new("offset_max", ConfigValueKind.Double, null, "largest offset (deg)", InTemplate: false),
        new("exclusion_regions", ConfigValueKind.List, new List<object?>(), "exclusion regions"),
        new("theta", ConfigValueKind.Double, 0.08944272, "ON region radius (deg)"),
        new("on_exclusion_region", ConfigValueKind.Double, 0.35, "exclusion radius around the source (deg)"),
        new("ring_rin", ConfigValueKind.String, "0.7 deg", "inner radius of the background ring"),
        new("ring_width", ConfigValueKind.String, "0.1 deg", "width of the background ring"),
        new("truncate", ConfigValueKind.Bool, true, "truncate the colour scale at ±5 sigma"),
        new("bin_size", ConfigValueKind.String, "0.02 deg", "sky map pixel size"),
        new("aeff_max_percent", ConfigValueKind.Double, 0.15, "safe energy threshold (share of the largest effective area)"),
        new("min_star_brightness", ConfigValueKind.Double, 8.0, "faintest visual magnitude of excluded stars"),
    ];

    public static readonly IReadOnlyList<ConfigKey> AnalysisSelection =
    [
        new("theta2", ConfigValueKind.Double, null, "theta² cut (deg²)", InTemplate: false),
    ];

    /// <summary>The top level: sections and the few top-level scalars, in the template's order.</summary>
    public static readonly IReadOnlyList<ConfigKey> TopLevel =
    [
        new("io", ConfigValueKind.Section, null, "where files are"),
        new("binning", ConfigValueKind.Section, null, "binning of background models"),
        new("config", ConfigValueKind.Section, null, "execution parameters"),
        new("exclusion", ConfigValueKind.Section, null, "regions excluded from background models and analyses"),
        new("background_selection", ConfigValueKind.Section, null, "how background (mimic) runs are selected"),
        new("run_selection", ConfigValueKind.Section, null, "the runs of interest"),
        new("spectrum", ConfigValueKind.Section, null, "spectral analysis"),
        new("lightcurve", ConfigValueKind.Section, null, "light curves"),
        new("sky_map", ConfigValueKind.Section, null, "sky maps"),
        new("analysis_selection", ConfigValueKind.Section, null, "analysis cuts", InTemplate: false),
        new("results_file", ConfigValueKind.String, "results.yaml", "file of high-level results"),
        new("plot_names", ConfigValueKind.String, "my_source", "prefix of plot files"),
    ];

    private static readonly Dictionary<string, IReadOnlyList<ConfigKey>> _sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["io"] = Io, ["binning"] = Binning, ["config"] = ConfigSection, ["exclusion"] = Exclusion,
        ["background_selection"] = BackgroundSelection, ["run_selection"] = RunSelection, ["spectrum"] = Spectrum,
        ["lightcurve"] = Lightcurve, ["sky_map"] = SkyMap, ["analysis_selection"] = AnalysisSelection,
    };

    /// <summary>The known keys of a section, or null for a section this product does not know.</summary>
    public static IReadOnlyList<ConfigKey>? KeysOf(string section) => _sections.GetValueOrDefault(section);
}
