namespace GammapyTools.Mimic;

/// <summary>An observing season (e.g. a VERITAS epoch): runs in the same season share instrument conditions.</summary>
public sealed record Season(string Name, DateTime Start, DateTime Stop)
{
    public bool Contains(DateTime t) => t > Start && t <= Stop;

    /// <summary>The VERITAS epochs gammapy-tools uses (V4, V5, V6 by season).</summary>
    public static IReadOnlyList<Season> Veritas { get; } =
    [
        new("V4", D(2000, 1, 1), D(2009, 9, 13)),
        new("V5", D(2009, 9, 14), D(2012, 7, 31)),
        new("V6_2012_2013a", D(2012, 8, 1), D(2013, 3, 15)),
        new("V6_2012_2013b", D(2013, 3, 16), D(2013, 11, 16)),
        new("V6_2013_2014a", D(2013, 11, 17), D(2014, 5, 12)),
        new("V6_2013_2014b", D(2014, 5, 13), D(2014, 11, 7)),
        new("V6_2014_2015", D(2014, 11, 8), D(2015, 7, 31)),
        new("V6_2015_2016", D(2015, 8, 1), D(2016, 7, 31)),
        new("V6_2016_2017", D(2016, 8, 1), D(2017, 7, 31)),
        new("V6_2017_2018", D(2017, 8, 1), D(2018, 7, 31)),
        new("V6_2018_2019", D(2018, 8, 1), D(2019, 11, 12)),
        new("V6_2019_2020w", D(2019, 11, 13), D(2020, 5, 7)),
        new("V6_2020_2020s", D(2020, 5, 8), D(2020, 11, 4)),
        new("V6_2020_2021w", D(2020, 11, 5), D(2021, 4, 27)),
        new("V6_2021_2021s", D(2021, 4, 28), D(2021, 11, 16)),
        new("V6_2021_2022w", D(2021, 11, 17), D(2022, 5, 9)),
        new("V6_2022_2022s", D(2022, 5, 10), D(2025, 11, 8)),
    ];

    private static DateTime D(int y, int m, int d) => new(y, m, d, 0, 0, 0, DateTimeKind.Utc);
}

/// <summary>
/// The selection criteria of mimic candidates (DESIGN.md §5), with gammapy-tools' defaults:
/// the background_selection keys nsb_diff, el_diff, az_diff, n_tel, time_max, el_min, el_max,
/// bright_sources.
/// </summary>
public sealed record MimicCriteria
{
    /// <summary>Largest |NSB − NSB_target|.</summary>
    public double NsbDiff { get; init; } = 0.7;
    /// <summary>Largest |1/sin(el) − 1/sin(el_target)|, the difference of 1/sin(elevation) itself.</summary>
    public double ElDiff { get; init; } = 0.15;
    /// <summary>Largest azimuth difference in degrees, on the circle.</summary>
    public double AzDiff { get; init; } = 30.0;
    /// <summary>Required number of telescopes, or null for any.</summary>
    public int? NTel { get; init; } = 4;
    /// <summary>Largest time difference in days.</summary>
    public double TimeMaxDays { get; init; } = 30.0;
    /// <summary>Also accept runs of the same season as the target, however far apart in time.</summary>
    public bool SameSeason { get; init; }
    public IReadOnlyList<Season> Seasons { get; init; } = Season.Veritas;
    /// <summary>Elevation limits in degrees, or null.</summary>
    public double? ElMin { get; init; }
    public double? ElMax { get; init; }
    public double MinAbsGalacticLatitude { get; init; } = 10.0;
    /// <summary>OBJECT names of runs never used as background (bright sources).</summary>
    public IReadOnlyList<string> BrightSources { get; init; } = [];
    /// <summary>Largest relative livetime difference to the target.</summary>
    public double LivetimeTolerance { get; init; } = 0.10;
    public int MaxCandidates { get; init; } = 10;
    /// <summary>Candidates with this KL divergence or more are dropped.</summary>
    public double MaxKlDivergence { get; init; } = 1.0;

    // Candidate hygiene (DESIGN.md §5 "Candidate hygiene"; beyond gammapy-tools, on by default).

    /// <summary>Drop a run whose field of view holds a run-list source (background_selection.exclude_target_fov).</summary>
    public bool ExcludeSourceInFieldOfView { get; init; } = true;
    /// <summary>Radius of the field of view in degrees: the largest offset of the background binning (binning.off_max).</summary>
    public double FieldOfViewRadius { get; init; } = 2.5;
    /// <summary>Exclusion radius around a run-list source in degrees (sky_map.on_exclusion_region).</summary>
    public double SourceExclusionRadius { get; init; } = 0.35;
    /// <summary>
    /// Source positions of the run list besides each target's own RA_OBJ/DEC_OBJ
    /// (run_selection.source_ra/source_dec, and in a campaign every target's object position).
    /// </summary>
    public IReadOnlyList<Sky.SkyCoord> RunListSources { get; init; } = [];
    /// <summary>Drop a run whose OBJECT is a run-list object (background_selection.exclude_runlist_objects).</summary>
    public bool ExcludeRunListObjects { get; init; } = true;
    /// <summary>OBJECT names of the run list besides the target's own (in a campaign: every target's).</summary>
    public IReadOnlyList<string> RunListObjects { get; init; } = [];
    /// <summary>
    /// Largest Li &amp; Ma significance of the excess at a position the run would scramble
    /// (background_selection.max_scramble_significance); null: not measured.
    /// </summary>
    public double? MaxScrambleSignificance { get; init; } = 3.0;
    /// <summary>Radius of the circle scrambled (and measured) around a background run's sources, degrees (background_selection.scramble_theta).</summary>
    public double ScrambleTheta { get; init; } = 0.3;
}

public static class MimicCriteriaConfig
{
    /// <summary>
    /// The criteria of a whole config: background_selection, plus what the hygiene takes from other
    /// sections (binning.off_max, sky_map.on_exclusion_region, run_selection.source_ra/source_dec).
    /// </summary>
    public static MimicCriteria FromConfig(Config.GammapyToolsConfig config)
    {
        var c = FromConfig(config.GetBackgroundSelection());
        // Read without creating sections: the caller's config is not changed. source_ra/source_dec
        // count only when the config sets them (the template's Crab default is no run-list source).
        var binning = config.Get("binning") as Config.ConfigSection;
        var sky = config.Get("sky_map") as Config.ConfigSection;
        var run = config.Get("run_selection") as Config.ConfigSection;
        return c with
        {
            FieldOfViewRadius = binning?.GetValue<double?>("off_max") ?? c.FieldOfViewRadius,
            SourceExclusionRadius = sky?.GetValue<double?>("on_exclusion_region") ?? c.SourceExclusionRadius,
            RunListSources = run?.Get("source_ra") is not null && run.Get("source_dec") is not null
                ? [new Sky.SkyCoord(run.GetValue<double>("source_ra"), run.GetValue<double>("source_dec"))] : [],
        };
    }

    /// <summary>The criteria a config's background_selection asks for; keys it does not set keep gammapy-tools' fallbacks.</summary>
    public static MimicCriteria FromConfig(Config.BackgroundSelectionSettings s)
    {
        var d = new MimicCriteria();
        return d with
        {
            NsbDiff = s.NsbDiff ?? d.NsbDiff,
            ElDiff = s.ElDiff ?? d.ElDiff,
            AzDiff = s.AzDiff ?? d.AzDiff,
            NTel = s.NTel ?? d.NTel,
            TimeMaxDays = s.TimeMax ?? d.TimeMaxDays,
            SameSeason = s.SameSeason,
            ElMin = s.ElMin,
            ElMax = s.ElMax,
            BrightSources = s.BrightSources,
            ExcludeSourceInFieldOfView = s.ExcludeTargetFov,
            ExcludeRunListObjects = s.ExcludeRunListObjects,
            MaxScrambleSignificance = s.MaxScrambleSignificance,
            ScrambleTheta = s.ScrambleTheta ?? d.ScrambleTheta,
        };
    }
}
