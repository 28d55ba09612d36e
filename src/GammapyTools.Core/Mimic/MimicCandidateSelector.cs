using GammapyTools.Dl3;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>A background run chosen for a target, with the KL divergence of its background model to the target's.</summary>
public sealed record MimicCandidate(Run Run, double KlDivergence)
{
    public long ObsId => Run.ObsId;
    public double? Livetime => Run.Livetime;
}

/// <summary>How many runs one selection criterion removed.</summary>
public sealed record SelectionStep(string Criterion, int Removed, int Remaining);

/// <summary>The candidates of one target, or why it has none ("no_mimic", "large_kl").</summary>
public sealed record CandidateSelection(Run Target, IReadOnlyList<MimicCandidate> Candidates, string? Questionable,
    IReadOnlyList<SelectionStep> Steps, IReadOnlyList<string> Warnings)
{
    public const string NoMimic = "no_mimic";
    public const string LargeKl = "large_kl";
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
    public static CandidateSelection Select(Run target, IReadOnlyList<Run> search, MimicCriteria c, Func<Run, double?> klOf)
    {
        var steps = new List<SelectionStep>();
        var warnings = new List<string>();
        return Rank(target, FilterByConditions(target, search, c, steps, warnings), c, klOf, steps, warnings);
    }

    /// <summary>
    /// The second half of <see cref="Select"/>, on runs that passed <see cref="FilterByConditions"/>:
    /// KL ranking, livetime, bright sources, the best few, KL below the limit, and the verdict.
    /// </summary>
    public static CandidateSelection Rank(Run target, IReadOnlyList<Run> runs, MimicCriteria c, Func<Run, double?> klOf,
        List<SelectionStep> steps, List<string> warnings)
    {
        // Rank by KL divergence (runs without a background model cannot be compared).
        var ranked = new List<MimicCandidate>();
        int noModel = 0;
        foreach (var r in runs)
        {
            if (klOf(r) is double kl) ranked.Add(new MimicCandidate(r, kl));
            else noModel++;
        }
        steps.Add(new SelectionStep("has a background model", noModel, ranked.Count));
        ranked = ranked.OrderBy(x => x.KlDivergence).ThenBy(x => x.ObsId).ToList();

        void CutRanked(string name, Func<MimicCandidate, bool> keep)
        {
            int before = ranked.Count;
            ranked = ranked.Where(keep).ToList();
            steps.Add(new SelectionStep(name, before - ranked.Count, ranked.Count));
        }

        if (target.Livetime is double lt)
            CutRanked($"livetime within {c.LivetimeTolerance:P0}", x => x.Livetime is double l && Math.Abs(l - lt) <= c.LivetimeTolerance * lt);
        else warnings.Add($"run {target.ObsId} has no LIVETIME: the livetime criterion is skipped");

        if (c.BrightSources.Count > 0)
        {
            var bright = c.BrightSources.Select(Normalize).ToHashSet();
            CutRanked("not a bright source", x => x.Run.Object is null || !bright.Contains(Normalize(x.Run.Object)));
        }
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

        void Cut(string name, Func<Run, bool> keep)
        {
            var kept = runs.Where(keep).ToList();
            steps.Add(new SelectionStep(name, count - kept.Count, kept.Count));
            runs = kept;
            count = kept.Count;
        }

        Cut("not the target run", r => r.ObsId != target.ObsId);

        DateTime? tTarget = target.DateAvg ?? target.DateObs;
        if (tTarget is DateTime tt)
        {
            // Runs without any date fail the time criterion; one line names them all, not one per run.
            var undated = runs.Where(r => (r.DateAvg ?? r.DateObs) is null).Select(r => r.ObsId).ToList();
            if (undated.Count > 0)
                warnings.Add($"{undated.Count} run(s) have no date (DATE-OBS, MJD-OBS or TSTART with MJDREFI/MJDREFF) and fail the time criterion of run {target.ObsId}: {string.Join(", ", undated.Take(10))}{(undated.Count > 10 ? ", …" : "")}");
            var season = c.SameSeason ? c.Seasons.FirstOrDefault(s => s.Contains(tt)) : null;
            Cut(c.SameSeason ? $"same season or within {c.TimeMaxDays} days" : $"within {c.TimeMaxDays} days", r =>
                (r.DateAvg ?? r.DateObs) is DateTime t &&
                (Math.Abs((t - tt).TotalDays) < c.TimeMaxDays || (season is not null && season.Contains(t))));
        }
        else warnings.Add($"run {target.ObsId} has no date (DATE-OBS, DATE-AVG, MJD-OBS or TSTART with MJDREFI/MJDREFF): the time criterion is skipped");

        if (target.NsbLevel is double nsb)
            Cut($"|NSB difference| < {c.NsbDiff}", r => r.NsbLevel is double n && Math.Abs(n - nsb) < c.NsbDiff);
        else warnings.Add($"run {target.ObsId} has no NSBLEVEL: the NSB criterion is skipped");

        if (target.Elevation is double el)
        {
            double inv = 1 / Math.Sin(el * Math.PI / 180);
            Cut($"|1/sin(el) difference| < {c.ElDiff}", r => r.Elevation is double e && Math.Abs(1 / Math.Sin(e * Math.PI / 180) - inv) < c.ElDiff);
        }
        else warnings.Add($"run {target.ObsId} has no ALT_PNT/ZEN_PNT: the elevation criterion is skipped");

        if (target.AzPnt is double az)
            Cut($"azimuth difference < {c.AzDiff}°", r => r.AzPnt is double a && AzimuthDifference(a, az) < c.AzDiff);
        else warnings.Add($"run {target.ObsId} has no AZ_PNT: the azimuth criterion is skipped");

        if (c.NTel is int nTel) Cut($"N_TELS = {nTel}", r => r.NTels == nTel);

        Cut($"|b| > {c.MinAbsGalacticLatitude}°", r => Math.Abs(GalacticCoord.FromIcrs(r.Pointing).B) > c.MinAbsGalacticLatitude);
        if (c.ElMin is double elMin) Cut($"elevation > {elMin}°", r => r.Elevation is double e && e > elMin);
        if (c.ElMax is double elMax) Cut($"elevation < {elMax}°", r => r.Elevation is double e && e < elMax);

        return runs.ToList();
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
    public static CandidateSelection Find(Run target, IReadOnlyList<Run> search, MimicCriteria criteria,
        Background.BackgroundModelCache cache, string? klTableDirectory = null, DataStore? inDir = null)
    {
        var steps = new List<SelectionStep>();
        var warnings = new List<string>();
        var matched = MimicCandidateSelector.FilterByConditions(target, search, criteria, steps, warnings);
        IReadOnlyDictionary<long, double> kl = new Dictionary<long, double>();
        if (matched.Count > 0)
            kl = Background.TargetKl.Compute(target, matched, search, cache, klTableDirectory, warnings, inDir).KlDivergence;
        return MimicCandidateSelector.Rank(target, matched, criteria, r => kl.TryGetValue(r.ObsId, out var v) ? v : null, steps, warnings);
    }
}
