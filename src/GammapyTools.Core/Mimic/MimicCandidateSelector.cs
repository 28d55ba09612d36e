using GammapyTools.Dl3;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>A background run chosen for a target, with the KL divergence of its background model to the target's.</summary>
public sealed record MimicCandidate(Run Run, double KlDivergence)
{
    public long ObsId => Run.ObsId;
    public double? Livetime => Run.Livetime;
    /// <summary>The excess measured at the positions this run would scramble (null when not measured).</summary>
    public ScrambleCheck? Scramble { get; init; }
    /// <summary>The largest Li &amp; Ma significance at those positions (null: not measured, or no source in its field of view).</summary>
    public double? ScrambleSignificance => Scramble?.MaxSignificance;
}

/// <summary>How many runs one selection criterion removed.</summary>
public sealed record SelectionStep(string Criterion, int Removed, int Remaining)
{
    /// <summary>The config key that switches the criterion off or widens it; null when no key does.</summary>
    public string? ConfigKey { get; init; }
    /// <summary>What a user can do when the criterion leaves no candidate, e.g. "a larger background_selection.nsb_diff widens it".</summary>
    public string? Remedy { get; init; }

    /// <summary>
    /// The step that removed the last remaining candidates (the first one that leaves none and removed
    /// some); null when candidates remain, or when there were none to begin with (an empty search store).
    /// </summary>
    public static SelectionStep? Emptying(IReadOnlyList<SelectionStep> steps) =>
        steps.FirstOrDefault(s => s.Remaining == 0 && s.Removed > 0);

    /// <summary>A step whose remedy is a boolean key set to false.</summary>
    internal static SelectionStep SwitchedOff(string criterion, int removed, int remaining, string key, string? also = null) =>
        new(criterion, removed, remaining) { ConfigKey = key, Remedy = $"{key}: false switches it off{also}" };
}

/// <summary>The candidates of one target, or why it has none ("no_mimic", "large_kl").</summary>
public sealed record CandidateSelection(Run Target, IReadOnlyList<MimicCandidate> Candidates, string? Questionable,
    IReadOnlyList<SelectionStep> Steps, IReadOnlyList<string> Warnings)
{
    public const string NoMimic = "no_mimic";
    public const string LargeKl = "large_kl";

    /// <summary>The criterion that removed the last candidates of a questionable target (<see cref="SelectionStep.Emptying"/>).</summary>
    public SelectionStep? EmptiedBy => Questionable is null ? null : SelectionStep.Emptying(Steps);
}

/// <summary>
/// Chooses the background runs that can mimic a target run (DESIGN.md §5 "Mimic candidates"):
/// observing-condition cuts, then KL ranking, livetime within 10 %, bright sources dropped, up
/// to 10 kept, KL ≥ 1 dropped. A criterion whose value the target lacks (H.E.S.S. has no NSB)
/// is skipped with a warning, not a crash.
/// </summary>
public static class MimicCandidateSelector
{
    /// <param name="klOf">KL divergence of a run's background model to the target's, or null when it has none.</param>
    /// <param name="scrambleCheck">The excess at the positions a run would scramble (see <see cref="ScrambleCheckCache"/>); null: not measured.</param>
    public static CandidateSelection Select(Run target, IReadOnlyList<Run> search, MimicCriteria c, Func<Run, double?> klOf,
        Func<Run, ScrambleCheck>? scrambleCheck = null)
    {
        var steps = new List<SelectionStep>();
        var warnings = new List<string>();
        var runs = RemoveRunListSources(target, FilterByConditions(target, search, c, steps, warnings), c, steps);
        return Rank(target, runs, c, klOf, steps, warnings, scrambleCheck);
    }

    /// <summary>
    /// The second half of <see cref="Select"/>, on runs that passed <see cref="FilterByConditions"/>
    /// and <see cref="RemoveRunListSources"/>: KL ranking, livetime, bright sources, the scrambling
    /// check, the best few, KL below the limit, and the verdict.
    /// </summary>
    public static CandidateSelection Rank(Run target, IReadOnlyList<Run> runs, MimicCriteria c, Func<Run, double?> klOf,
        List<SelectionStep> steps, List<string> warnings, Func<Run, ScrambleCheck>? scrambleCheck = null)
    {
        // Rank by KL divergence (runs without a background model cannot be compared).
        var ranked = new List<MimicCandidate>();
        int noModel = 0;
        foreach (var r in runs)
        {
            if (klOf(r) is double kl) ranked.Add(new MimicCandidate(r, kl));
            else noModel++;
        }
        steps.Add(new SelectionStep("has a background model", noModel, ranked.Count)
            { Remedy = "Invoke-MakeBackground (or New-BackgroundModel) gives the search runs background models" });
        ranked = ranked.OrderBy(x => x.KlDivergence).ThenBy(x => x.ObsId).ToList();

        void CutRanked(string name, Func<MimicCandidate, bool> keep, Func<string, int, int, SelectionStep>? step = null)
        {
            int before = ranked.Count;
            ranked = ranked.Where(keep).ToList();
            steps.Add(step is null ? new SelectionStep(name, before - ranked.Count, ranked.Count) : step(name, before - ranked.Count, ranked.Count));
        }

        if (target.Livetime is double lt)
            CutRanked($"livetime within {c.LivetimeTolerance:P0}", x => x.Livetime is double l && Math.Abs(l - lt) <= c.LivetimeTolerance * lt);
        else warnings.Add($"run {target.ObsId} has no LIVETIME: the livetime criterion is skipped");

        if (c.BrightSources.Count > 0)
        {
            var bright = c.BrightSources.Select(Normalize).ToHashSet();
            CutRanked("not a bright source", x => x.Run.Object is null || !bright.Contains(Normalize(x.Run.Object)),
                (n, removed, left) => new SelectionStep(n, removed, left) { ConfigKey = "background_selection.bright_sources", Remedy = "fewer names in background_selection.bright_sources widen it" });
        }
        if (c.MaxScrambleSignificance is double maxSignificance && scrambleCheck is not null)
            ranked = CutBrightScrambles(ranked, maxSignificance, c.MaxCandidates, scrambleCheck, steps, warnings);
        int beyond = Math.Max(0, ranked.Count - c.MaxCandidates);
        ranked = ranked.Take(c.MaxCandidates).ToList();
        steps.Add(new SelectionStep($"best {c.MaxCandidates}", beyond, ranked.Count));
        bool anyBeforeKl = ranked.Count > 0;
        CutRanked($"KL < {c.MaxKlDivergence}", x => x.KlDivergence < c.MaxKlDivergence);

        string? questionable = ranked.Count > 0 ? null : anyBeforeKl ? CandidateSelection.LargeKl : CandidateSelection.NoMimic;
        return new CandidateSelection(target, ranked, questionable, steps, warnings);
    }

    /// <summary>
    /// The observing-condition cuts alone (time, NSB, elevation, azimuth, telescopes, Galactic
    /// latitude, elevation limits, not the target), recording what each removed. Also used to
    /// choose the runs a background model is built from.
    /// </summary>
    public static IReadOnlyList<Run> FilterByConditions(Run target, IReadOnlyList<Run> search, MimicCriteria c,
        List<SelectionStep> steps, List<string> warnings)
    {
        IEnumerable<Run> runs = search;
        int count = search.Count;

        // key: the config key that widens the criterion (null: none does); remedy: how, when not "a larger <key>".
        void Cut(string name, string? key, Func<Run, bool> keep, string? remedy = null)
        {
            var kept = runs.Where(keep).ToList();
            steps.Add(new SelectionStep(name, count - kept.Count, kept.Count) { ConfigKey = key, Remedy = key is null ? null : remedy ?? $"a larger {key} widens it" });
            runs = kept;
            count = kept.Count;
        }

        Cut("not the target run", null, r => r.ObsId != target.ObsId);

        DateTime? tTarget = target.DateAvg ?? target.DateObs;
        if (tTarget is DateTime tt)
        {
            // Runs without any date fail the time criterion; one line names them all, not one per run.
            var undated = runs.Where(r => (r.DateAvg ?? r.DateObs) is null).Select(r => r.ObsId).ToList();
            if (undated.Count > 0)
                warnings.Add($"{undated.Count} run(s) have no date (DATE-OBS, MJD-OBS or TSTART with MJDREFI/MJDREFF) and fail the time criterion of run {target.ObsId}: {string.Join(", ", undated.Take(10))}{(undated.Count > 10 ? ", …" : "")}");
            var season = c.SameSeason ? c.Seasons.FirstOrDefault(s => s.Contains(tt)) : null;
            Cut(c.SameSeason ? $"same season or within {c.TimeMaxDays} days" : $"within {c.TimeMaxDays} days", "background_selection.time_max", r =>
                (r.DateAvg ?? r.DateObs) is DateTime t &&
                (Math.Abs((t - tt).TotalDays) < c.TimeMaxDays || (season is not null && season.Contains(t))));
        }
        else warnings.Add($"run {target.ObsId} has no date (DATE-OBS, DATE-AVG, MJD-OBS or TSTART with MJDREFI/MJDREFF): the time criterion is skipped");

        if (target.NsbLevel is double nsb)
            Cut($"|NSB difference| < {c.NsbDiff}", "background_selection.nsb_diff", r => r.NsbLevel is double n && Math.Abs(n - nsb) < c.NsbDiff);
        else warnings.Add($"run {target.ObsId} has no NSBLEVEL: the NSB criterion is skipped");

        if (target.Elevation is double el)
        {
            double inv = 1 / Math.Sin(el * Math.PI / 180);
            Cut($"|1/sin(el) difference| < {c.ElDiff}", "background_selection.el_diff", r => r.Elevation is double e && Math.Abs(1 / Math.Sin(e * Math.PI / 180) - inv) < c.ElDiff);
        }
        else warnings.Add($"run {target.ObsId} has no ALT_PNT/ZEN_PNT: the elevation criterion is skipped");

        if (target.AzPnt is double az)
            Cut($"azimuth difference < {c.AzDiff}°", "background_selection.az_diff", r => r.AzPnt is double a && AzimuthDifference(a, az) < c.AzDiff);
        else warnings.Add($"run {target.ObsId} has no AZ_PNT: the azimuth criterion is skipped");

        if (c.NTel is int nTel)
            Cut($"N_TELS = {nTel}", "background_selection.n_tels", r => r.NTels == nTel, "background_selection.n_tels set to the search runs' number of telescopes finds others");

        Cut($"|b| > {c.MinAbsGalacticLatitude}°", null, r => Math.Abs(GalacticCoord.FromIcrs(r.Pointing).B) > c.MinAbsGalacticLatitude);
        if (c.ElMin is double elMin) Cut($"elevation > {elMin}°", "background_selection.el_min", r => r.Elevation is double e && e > elMin, "a smaller background_selection.el_min widens it");
        if (c.ElMax is double elMax) Cut($"elevation < {elMax}°", "background_selection.el_max", r => r.Elevation is double e && e < elMax);

        return runs.ToList();
    }

    /// <summary>
    /// Candidate hygiene that needs no events (DESIGN.md §5 "Candidate hygiene"): a run whose OBJECT
    /// is a run-list object, or whose field of view (binning offset_max + the exclusion radius)
    /// holds a run-list source — the target's RA_OBJ/DEC_OBJ or another of
    /// <see cref="MimicCriteria.RunListSources"/> — would put that source's own photons into the
    /// mimic dataset, or learn nothing about an empty field.
    /// </summary>
    public static IReadOnlyList<Run> RemoveRunListSources(Run target, IReadOnlyList<Run> runs, MimicCriteria c, List<SelectionStep> steps)
    {
        IReadOnlyList<Run> kept = runs;
        if (c.ExcludeRunListObjects)
        {
            var objects = c.RunListObjects.Append(target.Object).OfType<string>().Select(Normalize).Where(n => n.Length > 0).ToHashSet();
            kept = kept.Where(r => r.Object is null || !objects.Contains(Normalize(r.Object))).ToList();
            steps.Add(SelectionStep.SwitchedOff("OBJECT not a run-list object", runs.Count - kept.Count, kept.Count, "background_selection.exclude_runlist_objects"));
        }
        if (c.ExcludeSourceInFieldOfView)
        {
            var sources = c.RunListSources.ToList();
            if (target.RaObj is double ra && target.DecObj is double dec) sources.Add(new SkyCoord(ra, dec));
            double radius = c.FieldOfViewRadius + c.SourceExclusionRadius;
            int before = kept.Count;
            kept = kept.Where(r => sources.All(s => SphericalGeometry.Separation(r.Pointing, s) >= radius)).ToList();
            steps.Add(SelectionStep.SwitchedOff($"no run-list source within {radius:0.###}° (field of view + exclusion)", before - kept.Count, kept.Count,
                "background_selection.exclude_target_fov", " (a smaller binning.off_max or sky_map.on_exclusion_region narrows it)"));
        }
        return kept;
    }

    /// <summary>
    /// Refuses, in rank order, candidates whose excess at a position to be scrambled is above the
    /// limit, until <paramref name="wanted"/> are accepted; the rest are not measured (the "best N"
    /// cut that follows drops them anyway), so a campaign reads the events of few runs.
    /// A run whose events cannot be read is refused with a warning.
    /// </summary>
    private static List<MimicCandidate> CutBrightScrambles(List<MimicCandidate> ranked, double max, int wanted,
        Func<Run, ScrambleCheck> scrambleCheck, List<SelectionStep> steps, List<string> warnings)
    {
        var kept = new List<MimicCandidate>();
        int refused = 0;
        foreach (var x in ranked)
        {
            if (kept.Count >= wanted) { kept.Add(x); continue; }
            ScrambleCheck check;
            try { check = scrambleCheck(x.Run); }
            catch (Exception e) when (e is Fits.FitsException or IOException or KeyNotFoundException)
            {
                warnings.Add($"background run {x.ObsId}: its events cannot be read to measure the excess at its sources ({e.Message}); not used");
                refused++;
                continue;
            }
            if (check.MaxSignificance is double s && s > max) { refused++; continue; }
            kept.Add(x with { Scramble = check });
        }
        steps.Add(new SelectionStep($"excess at scrambled sources ≤ {max}σ", refused, kept.Count)
        {
            ConfigKey = "background_selection.max_scramble_significance",
            Remedy = "a larger background_selection.max_scramble_significance widens it (null switches it off)",
        });
        return kept;
    }

    /// <summary>The angle between two azimuths on the circle: 359° and 1° are 2° apart.</summary>
    public static double AzimuthDifference(double a, double b)
    {
        double d = Math.Abs(a - b) % 360.0;
        return d > 180.0 ? 360.0 - d : d;
    }

    private static string Normalize(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>
/// Finds the mimic candidates of a target in a search data store: the condition cuts, then the
/// KL divergence of each remaining run's background model to the target's reference model
/// (<see cref="Background.TargetKl"/>; models read once through the cache; with a table folder,
/// reused from and stored in &lt;obs&gt;_kl.fits).
/// </summary>
public static class MimicCandidateFinder
{
    // scrambles measures the excess at the positions a candidate would scramble (once per campaign); null: not measured.
    public static CandidateSelection Find(Run target, IReadOnlyList<Run> search, MimicCriteria criteria,
        Background.BackgroundModelCache cache, string? klTableDirectory = null, ScrambleCheckCache? scrambles = null, DataStore? inDir = null,
        CancellationToken cancellationToken = default)
    {
        var steps = new List<SelectionStep>();
        var warnings = new List<string>();
        var matched = MimicCandidateSelector.RemoveRunListSources(target,
            MimicCandidateSelector.FilterByConditions(target, search, criteria, steps, warnings), criteria, steps);
        IReadOnlyDictionary<long, double> kl = new Dictionary<long, double>();
        if (matched.Count > 0)
            kl = Background.TargetKl.Compute(target, matched, search, cache, klTableDirectory, warnings, inDir, cancellationToken).KlDivergence;
        return MimicCandidateSelector.Rank(target, matched, criteria, r => kl.TryGetValue(r.ObsId, out var v) ? v : null, steps, warnings,
            scrambles is null ? null : scrambles.Get);
    }
}
