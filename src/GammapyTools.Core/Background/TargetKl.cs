using GammapyTools.Dl3;

namespace GammapyTools.Background;

/// <summary>The KL divergences of candidate runs against a target's reference model, and the run that model came from.</summary>
public sealed record TargetKlResult(Run? Reference, IReadOnlyDictionary<long, double> KlDivergence,
    IReadOnlyList<KlDivergenceResult> Ranked, IReadOnlyList<KlDivergenceFailure> Failures);

/// <summary>
/// The one entry point for "KL of a candidate against a target" (Invoke-MakeBackground,
/// Invoke-MimicDataset, Find-MimicRun), so the same pair gives the same number everywhere.
/// <para>
/// The target's <b>reference model</b> is defined here, once: the background model of the target
/// run as io.in_dir holds it (the user's analysis runs), else the model of the target run as given,
/// else the model of the run with its OBS_ID in the search data store. So the model
/// Invoke-MakeBackground ranks matched runs against (in_dir's) is the one Invoke-MimicDataset and
/// Find-MimicRun -Config later rank candidates against, even though the target they convert into
/// (from io.out_dir) carries the newly made model. Models of another kind or binning are compared
/// on their common grid (<see cref="CommonGrid"/>).
/// </para>
/// </summary>
public static class TargetKl
{
    /// <summary>The run whose background model is the target's reference, or null when none of them has a model.</summary>
    public static Run? ReferenceRun(Run target, IReadOnlyList<Run> search, DataStore? inDir = null)
    {
        if (inDir is not null && inDir.Contains(target.ObsId) && inDir.GetRun(target.ObsId) is { BackgroundClass: not null } copy) return copy;
        if (target.BackgroundClass is not null) return target;
        return search.FirstOrDefault(r => r.ObsId == target.ObsId && r.BackgroundClass is not null);
    }

    /// <summary>
    /// KL of every candidate against the target's reference model. Runs that cannot be compared are
    /// summed up in one warning per kind of failure (a binning that does not overlap usually does
    /// not for the whole search store; the message names the config keys to change).
    /// Throws <see cref="InvalidOperationException"/> when the target has no reference model.
    /// </summary>
    public static TargetKlResult Compute(Run target, IReadOnlyList<Run> candidates, IReadOnlyList<Run> search,
        BackgroundModelCache cache, string? klTableDirectory, List<string> warnings, DataStore? inDir = null)
    {
        var reference = ReferenceRun(target, search, inDir)
            ?? throw new InvalidOperationException($"run {target.ObsId} ({target.Path}) has no background model to compare candidates with; make one first (New-BackgroundModel, Invoke-MakeBackground)");
        if (candidates.Count == 0) return new TargetKlResult(reference, new Dictionary<long, double>(), [], []);
        var (results, failures) = KlDivergenceCalculator.Compute(reference, candidates, cache, klTableDirectory);
        foreach (var group in failures.GroupBy(f => f.Error.GetType()))
        {
            var first = group.First();
            warnings.Add(group.Count() == 1
                ? $"run {first.Run.ObsId} cannot be compared with run {target.ObsId}: {first.Error.Message}"
                : $"{group.Count()} runs cannot be compared with run {target.ObsId} (runs {string.Join(", ", group.Take(5).Select(f => f.Run.ObsId))}{(group.Count() > 5 ? ", …" : "")}); the first: {first.Error.Message}");
        }
        return new TargetKlResult(reference, results.ToDictionary(r => r.ObsId, r => r.KlDivergence), results, failures);
    }
}
