namespace GammapyTools.Mimic;

/// <summary>
/// The targets of a campaign that one selection criterion left without candidates (it removed the
/// last remaining ones), so that a campaign says once why its targets are questionable instead of
/// leaving a user with a list of no_mimic runs and no reason.
/// </summary>
public sealed record EmptiedTargets(string Criterion, string? ConfigKey, string? Remedy, IReadOnlyList<long> ObsIds)
{
    /// <summary>The targets grouped by the criterion that emptied them, most targets first; targets with candidates are left out.</summary>
    public static IReadOnlyList<EmptiedTargets> Group(IEnumerable<(long ObsId, SelectionStep? EmptiedBy)> targets) =>
        targets.Where(t => t.EmptiedBy is not null)
            .GroupBy(t => t.EmptiedBy!.Criterion, StringComparer.Ordinal)
            .Select(g => new EmptiedTargets(g.Key, g.First().EmptiedBy!.ConfigKey, g.First().EmptiedBy!.Remedy, g.Select(t => t.ObsId).ToList()))
            .OrderByDescending(e => e.ObsIds.Count).ThenBy(e => e.Criterion, StringComparer.Ordinal)
            .ToList();

    /// <summary>e.g. "150 by 'OBJECT not a run-list object' (64080, 64081, …; background_selection.exclude_runlist_objects: false switches it off)".</summary>
    public string Describe() =>
        $"{ObsIds.Count} by '{Criterion}' ({string.Join(", ", ObsIds.Take(5))}{(ObsIds.Count > 5 ? ", …" : "")}; {Remedy ?? "no config key changes it"})";

    /// <summary>
    /// One sentence for the whole campaign, e.g. "150 target run(s) left without candidates: 150 by …"; null when none was.
    /// </summary>
    public static string? Describe(IReadOnlyList<EmptiedTargets> groups) => groups.Count == 0 ? null
        : $"{groups.Sum(g => g.ObsIds.Count)} target run(s) left without candidates: {string.Join("; ", groups.Select(g => g.Describe()))}";
}
