using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>
/// The candidate selection of one campaign: the criteria (with the run list's objects and sources),
/// the search runs as the background index describes them, the targets' reference models
/// (io.in_dir) and one scramble measurement per background run. Invoke-MimicDataset and
/// Find-MimicRun -Config both find candidates through <see cref="Find"/>, so for a target of the
/// run list they give the same candidates, order and KL values.
/// </summary>
public sealed class MimicSelection
{
    private readonly BackgroundModelCache _cache;
    private readonly string? _klTables;
    private readonly DataStore? _inDir;

    public MimicSelection(MimicCriteria criteria, IReadOnlyList<Run> searchRuns, BackgroundModelCache cache, string? klTables,
        CatalogSet? catalogs, DataStore? inDir)
    {
        Criteria = criteria;
        SearchRuns = searchRuns;
        _cache = cache;
        _klTables = klTables;
        _inDir = inDir;
        Scrambles = new ScrambleCheckCache(criteria.ScrambleTheta, criteria.FieldOfViewRadius, catalogs);
    }

    public MimicCriteria Criteria { get; }
    public IReadOnlyList<Run> SearchRuns { get; }
    /// <summary>The excess at the positions a background run would scramble, measured once for all targets.</summary>
    public ScrambleCheckCache Scrambles { get; }
    /// <summary>How many run-list targets the criteria took their objects and sources from (0: only each target's own).</summary>
    public int RunListTargets { get; init; }
    /// <summary>Why the config's run list was not used (Find-MimicRun with a config whose stores do not exist); null when it was, or there is no config.</summary>
    public string? RunListNotUsed { get; init; }

    public CandidateSelection Find(Run target, CancellationToken cancellationToken = default) =>
        MimicCandidateFinder.Find(target, SearchRuns, Criteria, _cache, _klTables, Scrambles, _inDir, cancellationToken);

    /// <summary>
    /// Find-MimicRun's selection: with a config, the campaign's (<see cref="MimicDatasetBuilder.CampaignCriteria"/>
    /// over the run list as Invoke-MimicDataset reads it from out_dir or in_dir) when the config's run list and
    /// target store can be read, else the config's criteria with each target's own object and source
    /// (<see cref="RunListNotUsed"/> says why); without one, the template's criteria.
    /// </summary>
    public static MimicSelection ForTargets(GammapyToolsConfig? config, DataStore search, BackgroundModelCache cache, CatalogSet? catalogs, string? klTables)
    {
        var searchRuns = cache.Runs(search);
        if (config is null)
            return new MimicSelection(MimicCriteriaConfig.FromConfig(GammapyToolsConfig.CreateDefault()), searchRuns, cache, klTables, catalogs, null);
        // The reference models are io.in_dir's (TargetKl) whatever store the given target comes from.
        var inDir = MimicDatasetBuilder.InDirStore(config, null);
        IReadOnlyList<Run> targets;
        try { targets = MimicDatasetBuilder.RunListTargets(config).Targets.OfType<Run>().ToList(); }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException or Fits.FitsException)
        {
            return new MimicSelection(MimicCriteriaConfig.FromConfig(config), searchRuns, cache, klTables, catalogs, inDir)
            {
                RunListNotUsed = $"the config's run list is not used (only each target's own object and source are run-list objects): {e.Message}",
            };
        }
        return new MimicSelection(MimicDatasetBuilder.CampaignCriteria(config, targets), searchRuns, cache, klTables, catalogs, inDir)
        {
            RunListTargets = targets.Count,
        };
    }
}
