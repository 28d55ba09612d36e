namespace GammapyTools.Cluster;

/// <summary>An output a campaign's selection asks for that does not exist (yet), and the shard that makes it.</summary>
public sealed record MissingOutput(long ObsId, string Path, Shard? Shard);

/// <summary>
/// The final step of a sharded campaign (Complete-MimicDataset, Complete-Background): whether the
/// indexes were written (every output exists), else what is missing. Targets that failed before
/// any output was due (e.g. not in the data store) are listed with their error.
/// </summary>
public sealed record CampaignCompletion(bool Completed, int TargetCount, IReadOnlyList<MissingOutput> Missing,
    IReadOnlyList<(long ObsId, Exception Error)> Failed)
{
    /// <summary>Index or config files that could not be written (each exception names its file).</summary>
    public IReadOnlyList<Exception> FinalStepErrors { get; init; } = [];

    /// <summary>The shards that still have work, in order (empty when no shard count was given or nothing is missing).</summary>
    public IReadOnlyList<Shard> UnfinishedShards =>
        Missing.Where(m => m.Shard is not null).Select(m => m.Shard!.Value).Distinct().OrderBy(s => s.Index).ToList();
}
