namespace GammapyTools.Mimic;

/// <summary>
/// The background run of one target in one mimic dataset; <c>SharedWith</c>: other targets this
/// background run also serves in the same dataset (empty unless no unused candidate was left).
/// </summary>
public sealed record MimicAssignment(long TargetObsId, int Dataset, MimicCandidate Candidate, IReadOnlyList<long> SharedWith);

/// <summary>A background run that serves more than one target in one mimic dataset (reported, never silent).</summary>
public sealed record MimicRepeat(int Dataset, long BackgroundObsId, IReadOnlyList<long> Targets)
{
    public override string ToString() =>
        $"mimic_{Dataset}: background run {BackgroundObsId} serves runs {string.Join(", ", Targets)} (no unused candidate was left)";
}

/// <summary>The ranked candidates of one target of the run list (in run-list order when given to <see cref="MimicPlan.Create"/>).</summary>
public sealed record MimicPlanTarget(long ObsId, IReadOnlyList<MimicCandidate> Candidates);

/// <summary>
/// Which background run mimics which target in which dataset, for the whole run list at once
/// (DESIGN.md §5 "Candidate hygiene"). A background run that served two targets of one dataset
/// would put the same photons — the same fluctuations — into both (for runs of one source, onto
/// the same sky), so within a dataset each run serves one target while an unused candidate
/// remains; the runs that must serve two are listed in <see cref="Repeats"/>.
/// <para>
/// The plan couples targets, so it is computed before any conversion and does not depend on how
/// the conversions are split (threads, shards i/N): it is a pure function of the run list's
/// candidates, the seed and the options. Each target's preference order is its candidates by KL
/// (<c>ranked</c>) or a seeded shuffle derived from (seed, OBS_ID). Datasets are filled one after
/// the other; within a dataset a maximum matching gives as many targets as possible a run of
/// their own, preferring runs each target has used least in earlier datasets (so a target's
/// datasets differ while it has enough), then its most preferred; targets in run-list order.
/// </para>
/// </summary>
public sealed class MimicPlan
{
    private readonly Dictionary<long, IReadOnlyList<MimicAssignment>> _byTarget;

    private MimicPlan(Dictionary<long, IReadOnlyList<MimicAssignment>> byTarget, IReadOnlyList<MimicRepeat> repeats)
    {
        _byTarget = byTarget;
        Repeats = repeats;
    }

    /// <summary>Background runs that serve more than one target in a dataset.</summary>
    public IReadOnlyList<MimicRepeat> Repeats { get; }

    /// <summary>The targets with a plan (those that had candidates).</summary>
    public IEnumerable<long> Targets => _byTarget.Keys;

    /// <summary>A target's assignments, dataset 1 first; empty for a target without candidates.</summary>
    public IReadOnlyList<MimicAssignment> For(long targetObsId) => _byTarget.GetValueOrDefault(targetObsId) ?? [];

    /// <summary>
    /// The plan of <paramref name="nMimic"/> datasets for every target of the run list with its
    /// ranked candidates, in run-list order. With <paramref name="uniquePerDataset"/> false each
    /// target chooses on its own (gammapy-tools' behaviour: runs may repeat within a dataset).
    /// </summary>
    public static MimicPlan Create(IReadOnlyList<MimicPlanTarget> targets, int nMimic, long seed, bool ranked, bool uniquePerDataset = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nMimic, 1);
        var planned = targets.Where(t => t.Candidates.Count > 0).DistinctBy(t => t.ObsId).ToList();
        var preference = planned.ToDictionary(t => t.ObsId, t => ranked ? t.Candidates.ToList() : Shuffled(t.Candidates, seed, t.ObsId));
        var uses = planned.ToDictionary(t => t.ObsId, _ => new Dictionary<long, int>());
        var chosen = planned.ToDictionary(t => t.ObsId, _ => new List<MimicCandidate>());
        for (int dataset = 1; dataset <= nMimic; dataset++)
        {
            var picks = uniquePerDataset ? MatchDataset(planned, preference, uses) : [];
            foreach (var t in planned)
            {
                var used = uses[t.ObsId];
                // Unmatched (or each target on its own): least used by the target, then most preferred.
                var pick = picks.GetValueOrDefault(t.ObsId)
                    ?? preference[t.ObsId].Select((c, i) => (c, i)).OrderBy(x => used.GetValueOrDefault(x.c.ObsId)).ThenBy(x => x.i).First().c;
                used[pick.ObsId] = used.GetValueOrDefault(pick.ObsId) + 1;
                chosen[t.ObsId].Add(pick);
            }
        }

        // Repeats within a dataset, and each assignment's sharers.
        var repeats = new List<MimicRepeat>();
        var sharers = new Dictionary<(int, long), List<long>>();
        for (int dataset = 1; dataset <= nMimic; dataset++)
            foreach (var t in planned)
            {
                long bkg = chosen[t.ObsId][dataset - 1].ObsId;
                if (!sharers.TryGetValue((dataset, bkg), out var list)) sharers[(dataset, bkg)] = list = [];
                list.Add(t.ObsId);
            }
        foreach (var ((dataset, bkg), list) in sharers.Where(kv => kv.Value.Count > 1).OrderBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2))
            repeats.Add(new MimicRepeat(dataset, bkg, list));

        var byTarget = planned.ToDictionary(t => t.ObsId, t => (IReadOnlyList<MimicAssignment>)chosen[t.ObsId].Select((c, i) =>
            new MimicAssignment(t.ObsId, i + 1, c, sharers[(i + 1, c.ObsId)].Where(o => o != t.ObsId).ToList())).ToList());
        return new MimicPlan(byTarget, repeats);
    }

    /// <summary>
    /// One dataset: as many targets as possible get a run no other target of the dataset has — first
    /// among the runs each has used least, then among all its runs — by augmenting paths (Kuhn's
    /// maximum bipartite matching), trying targets in run-list order and runs in preference order.
    /// The second pass may move a target off its least used run, so that no target shares while a
    /// matching without sharing exists. Targets left unmatched are absent from the result (they share).
    /// </summary>
    private static Dictionary<long, MimicCandidate> MatchDataset(IReadOnlyList<MimicPlanTarget> targets,
        Dictionary<long, List<MimicCandidate>> preference, Dictionary<long, Dictionary<long, int>> uses)
    {
        var owner = new Dictionary<long, long>();            // background run -> target
        var pick = new Dictionary<long, MimicCandidate>();   // target -> background run
        IEnumerable<MimicCandidate> Options(long target, bool leastUsed)
        {
            var used = uses[target];
            int min = preference[target].Min(c => used.GetValueOrDefault(c.ObsId));
            return preference[target].Select((c, i) => (c, i))
                .Where(x => !leastUsed || used.GetValueOrDefault(x.c.ObsId) == min)
                .OrderBy(x => used.GetValueOrDefault(x.c.ObsId)).ThenBy(x => x.i).Select(x => x.c);
        }
        bool Assign(long target, bool leastUsed, HashSet<long> visited)
        {
            foreach (var c in Options(target, leastUsed))
            {
                if (!visited.Add(c.ObsId)) continue;
                if (owner.TryGetValue(c.ObsId, out long other) && !Assign(other, leastUsed, visited)) continue;
                owner[c.ObsId] = target;
                pick[target] = c;
                return true;
            }
            return false;
        }
        foreach (bool leastUsed in new[] { true, false })
            foreach (var t in targets)
                if (!pick.ContainsKey(t.ObsId)) Assign(t.ObsId, leastUsed, []);
        return pick;
    }

    /// <summary>A target's candidates in a seeded random order: the stream depends on (seed, OBS_ID) only.</summary>
    private static List<MimicCandidate> Shuffled(IReadOnlyList<MimicCandidate> candidates, long seed, long targetObsId)
    {
        var order = candidates.ToList();
        var random = new MimicRandom((ulong)seed, (ulong)targetObsId, 0x6D696D6963UL); // "mimic"
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = (int)(random.NextDouble() * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
