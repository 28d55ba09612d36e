using GammapyTools.Cluster;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Output;

namespace GammapyTools.Background;

/// <summary>The background model of one run of in_dir, or why it could not be made.</summary>
public sealed record MakeBackgroundResult(long ObsId, Run? Output, IReadOnlyList<long> BackgroundRuns, double Hours,
    bool Skipped, IReadOnlyList<string> Warnings, Exception? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>Settings of a background campaign that do not come from the config.</summary>
public sealed record MakeBackgroundOptions
{
    /// <summary>Rebuild outputs that exist (otherwise they are kept: a rerun completes only what is missing).</summary>
    public bool Overwrite { get; init; }
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Folder of the background-model index; null: config.cache_dir, else the default cache folder.</summary>
    public string? CacheDirectory { get; init; }
    /// <summary>Catalog files for exclusions; null: those of the config (exclusion.star_cat) and $GAMMAPY_DATA.</summary>
    public IReadOnlyList<string>? CatalogPaths { get; init; }
    /// <summary>Build only this part of in_dir's runs and write no index (see <see cref="BackgroundMaker.Complete"/>).</summary>
    public Shard? Shard { get; init; }
}

/// <summary>
/// gammapy-tools' run_make_background: one background model per run of io.in_dir, written with
/// the run to io.out_dir (inputs never modified), then out_dir is indexed. From the run itself
/// (io.from_run) or from matched runs of io.search_datastore: background_selection.bkg_runlist when
/// it names the run's background runs, else the runs passing the observing-condition cuts, ranked
/// by KL divergence to the run's reference model (KL_DIV, <see cref="TargetKl"/>) and taken until
/// time_request hours — a shortfall is reported. The matched runs used are recorded in the config
/// (bkg_runlist; never by a from_run pass). Every run is a
/// pure function of the config and its OBS_ID, so runs are processed in parallel and a failure of
/// one does not stop the others.
/// </summary>
public static class BackgroundMaker
{
    /// <summary>
    /// Runs the campaign, or with <see cref="MakeBackgroundOptions.Shard"/> its part i of N: the
    /// background runs are selected for every run of in_dir, only the shard's runs are built, and a
    /// shard writes no index (<see cref="Complete"/> does). Results are those of the built runs;
    /// bkg_runlist is recorded for them. Before any work the config is validated and out_dir's
    /// <see cref="CampaignLock"/> taken (another campaign there is an error; processes of this campaign,
    /// e.g. its shards, share it), and dead writers' temporary files are removed. Index files that cannot
    /// be written are returned in <see cref="CampaignResults{T}.FinalStepErrors"/> with the per-run results.
    /// Cancellation: no new file is started, a write in flight leaves nothing behind, and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static CampaignResults<MakeBackgroundResult> Run(GammapyToolsConfig config, MakeBackgroundOptions options,
        IProgress<CampaignProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var campaign = Open(config, options);
        string identity = CampaignLock.MemberIdentity(CampaignKey(config, campaign.OutDir), CampaignLock.IdentityOf(options.Overwrite.ToString()));
        using var campaignLock = CampaignLock.Acquire(campaign.OutDir, identity, $"Invoke-MakeBackground, config {config.SourcePath ?? "(not from a file)"}");
        StaleTempFiles.Remove(campaign.OutDir, campaignLock.Since);
        var ids = campaign.Targets.ObsIds;
        var positions = options.Shard is { } shard ? shard.Positions(ids.Count).ToList() : Enumerable.Range(0, ids.Count).ToList();
        int total = ids.Count + positions.Count, done = 0;
        Action<long> step = id => progress?.Report(new CampaignProgress(Interlocked.Increment(ref done), total, id));
        var plans = Select(campaign, options, step, cancellationToken);

        Directory.CreateDirectory(campaign.OutDir);
        var results = new MakeBackgroundResult[positions.Count];
        Parallel.For(0, positions.Count, Parallelism(options, cancellationToken), k =>
        {
            results[k] = MakeOne(plans[positions[k]], campaign, options, cancellationToken);
            step(plans[positions[k]].ObsId);
        });
        cancellationToken.ThrowIfCancellationRequested();

        IReadOnlyList<Exception> finalErrors = options.Shard is null
            ? WriteIndex(campaign.OutDir, results.Where(r => r.Output is not null).Select(r => r.Output!.Path).ToList()) : [];
        RecordBkgRunlist(config, campaign.FromRun, results);
        return new CampaignResults<MakeBackgroundResult>(results, finalErrors);
    }

    /// <summary>The campaign a process belongs to (its shards and Complete-Background share it): the config.</summary>
    private static string CampaignKey(GammapyToolsConfig config, string outDir) =>
        CampaignLock.IdentityOf("Invoke-MakeBackground", config.ToYaml(outDir));

    /// <returns>The index files that could not be written (the per-run results are still returned).</returns>
    private static IReadOnlyList<Exception> WriteIndex(string outDir, IReadOnlyList<string> outputs)
    {
        try
        {
            if (outputs.Count > 0) DataStoreIndex.Write(outDir, outputs.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [e];
        }
    }

    /// <summary>
    /// The final step of a sharded background campaign: when every run's output exists, indexes
    /// out_dir and records bkg_runlist in <paramref name="config"/> (as an unsharded run does);
    /// otherwise writes nothing and reports the missing outputs with the shard (of
    /// <paramref name="shardCount"/>) that makes each. It has out_dir to itself
    /// (<see cref="CampaignLock.AcquireSole"/>): it waits up to <paramref name="lockWait"/> for the
    /// campaign's shards (same config) to end, and another campaign there is a <see cref="CampaignLockException"/>.
    /// Dead writers' temporary files are removed.
    /// </summary>
    public static CampaignCompletion Complete(GammapyToolsConfig config, MakeBackgroundOptions options, int? shardCount = null,
        IProgress<CampaignProgress>? progress = null, CancellationToken cancellationToken = default, TimeSpan lockWait = default)
    {
        var campaign = Open(config, options);
        using var campaignLock = CampaignLock.AcquireSole(campaign.OutDir, CampaignKey(config, campaign.OutDir),
            $"Complete-Background, config {config.SourcePath ?? "(not from a file)"}", lockWait, cancellationToken);
        StaleTempFiles.Remove(campaign.OutDir, campaignLock.Since);
        var ids = campaign.Targets.ObsIds;
        int done = 0;
        var plans = Select(campaign, options, id => progress?.Report(new CampaignProgress(Interlocked.Increment(ref done), ids.Count, id)), cancellationToken);
        var missing = new List<MissingOutput>();
        for (int k = 0; k < plans.Count; k++)
            if (plans[k].Error is null && !File.Exists(plans[k].Output))
                missing.Add(new MissingOutput(plans[k].ObsId, plans[k].Output!, shardCount is int n ? Shard.Of(k, n) : null));
        var failed = plans.Where(p => p.Error is not null).Select(p => (p.ObsId, p.Error!)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Exception> finalErrors = [];
        if (missing.Count == 0)
        {
            finalErrors = WriteIndex(campaign.OutDir, plans.Where(p => p.Error is null).Select(p => p.Output!).ToList());
            RecordBkgRunlist(config, campaign.FromRun, plans.Where(p => p.Error is null)
                .Select(p => new MakeBackgroundResult(p.ObsId, null, p.Sources.Select(r => r.ObsId).ToList(), 0, true, p.Warnings, null)).ToList());
        }
        return new CampaignCompletion(missing.Count == 0, ids.Count, missing, failed) { FinalStepErrors = finalErrors };
    }

    /// <summary>What every run of a campaign needs before its model is built: read once per process.</summary>
    private sealed record Campaign(string OutDir, bool FromRun, DataStore Targets, IReadOnlyList<Run> SearchRuns,
        IReadOnlyDictionary<long, Run> SearchById, IReadOnlyDictionary<long, IReadOnlyList<long>> ExplicitRuns,
        MimicCriteria Criteria, BackgroundSelectionSettings Selection, BackgroundModelOptions ModelOptions, BackgroundModelCache Cache);

    /// <summary>The background runs chosen for one run, its output path, or why it has none.</summary>
    private sealed record TargetPlan(long ObsId, Run? Target, string? Output, IReadOnlyList<Run> Sources, List<string> Warnings, Exception? Error);

    private static Campaign Open(GammapyToolsConfig config, MakeBackgroundOptions options)
    {
        string inDir = config.RequirePath("io", "in_dir", mustExist: true);
        string outDir = config.RequirePath("io", "out_dir");
        config.Validate();
        var io = config.Section("io");
        bool fromRun = io.GetValue<bool?>("from_run") ?? false;
        bool threeD = io.GetValue<bool?>("3d_bkg") ?? false;
        var selection = config.GetBackgroundSelection();
        var bsSection = config.BackgroundSelectionSection;
        var binning = config.Section("binning");
        var modelOptions = new BackgroundModelOptions
        {
            Binning = new BackgroundBinning(
                binning.GetValue<double?>("e_min") ?? 0.1, binning.GetValue<double?>("e_max") ?? 100,
                binning.GetValue<int?>("e_bins") ?? 20, binning.GetValue<double?>("off_min") ?? 0,
                binning.GetValue<double?>("off_max") ?? 2.5, binning.GetValue<int?>("off_bins") ?? 5),
            ThreeDimensional = threeD,
            SmoothSigma = (bsSection.GetValue<bool?>("smooth") ?? true) ? bsSection.GetValue<double?>("smooth_sigma") ?? 1.0 : null,
            Exclusions = LoadExclusions(config, options),
        };
        modelOptions.Binning.Validate();

        var targets = DataStore.Open(inDir);
        var search = fromRun ? null : DataStore.Open(config.RequirePath("io", "search_datastore", mustExist: true));
        var cache = new BackgroundModelCache(new BackgroundIndex(options.CacheDirectory ?? config.CacheDirectory));
        var searchRuns = search is null ? [] : cache.Runs(search);
        return new Campaign(outDir, fromRun, targets, searchRuns, searchRuns.ToDictionary(r => r.ObsId), ReadBkgRunlist(bsSection),
            MimicCriteriaConfig.FromConfig(selection), selection, modelOptions, cache);
    }

    private static ParallelOptions Parallelism(MakeBackgroundOptions options, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };

    /// <summary>The background runs of every run of in_dir (never only a shard's: see <see cref="Run"/>).</summary>
    private static IReadOnlyList<TargetPlan> Select(Campaign c, MakeBackgroundOptions options, Action<long> step, CancellationToken cancellationToken)
    {
        var ids = c.Targets.ObsIds;
        var plans = new TargetPlan[ids.Count];
        Parallel.For(0, ids.Count, Parallelism(options, cancellationToken), k =>
        {
            plans[k] = SelectOne(ids[k], c, cancellationToken);
            step(ids[k]);
        });
        return plans;
    }

    private static TargetPlan SelectOne(long id, Campaign c, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        try
        {
            var target = c.Targets.GetRun(id);
            string output = Path.Combine(c.OutDir, Path.GetFileName(target.Path));
            IReadOnlyList<Run> sources;
            if (c.FromRun) sources = [target];
            else if (c.ExplicitRuns.TryGetValue(id, out var list) && list.Any(x => x != id))
            {
                // A run is not its own background run (an old from_run pass may have recorded it so).
                if (list.Contains(id)) warnings.Add($"run {id}: bkg_runlist names the run itself as its background run; it is left out");
                list = list.Where(x => x != id).ToList();
                var unknown = list.Where(x => !c.SearchById.ContainsKey(x)).ToList();
                if (unknown.Count > 0) warnings.Add($"run {id}: bkg_runlist names runs not in the search store: {string.Join(", ", unknown)}");
                sources = list.Where(c.SearchById.ContainsKey).Select(x => c.SearchById[x]).ToList();
            }
            else
            {
                if (c.ExplicitRuns.TryGetValue(id, out var own) && own.Contains(id)) warnings.Add($"run {id}: bkg_runlist names only the run itself; its background runs are matched instead");
                sources = MatchedRuns(target, c.SearchRuns, c.Criteria, c.Selection, c.Cache, c.Selection.StoreKl ? c.OutDir : null, warnings, cancellationToken);
            }

            if (sources.Count == 0)
                throw new InvalidOperationException($"run {id}: no background runs pass the selection; no model can be made");
            return new TargetPlan(id, target, output, sources, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or KeyNotFoundException or BinningMismatchException)
        {
            return new TargetPlan(id, null, null, [], warnings, e);
        }
    }

    private static MakeBackgroundResult MakeOne(TargetPlan plan, Campaign c, MakeBackgroundOptions options, CancellationToken cancellationToken)
    {
        long id = plan.ObsId;
        var warnings = plan.Warnings;
        if (plan.Error is not null || plan.Target is null || plan.Output is null) return new MakeBackgroundResult(id, null, [], 0, false, warnings, plan.Error);
        try
        {
            var sources = plan.Sources;
            double hours = sources.Sum(r => r.Livetime ?? 0) / 3600.0;
            if (!options.Overwrite && File.Exists(plan.Output))
                return new MakeBackgroundResult(id, Dl3.Run.FromFile(plan.Output), sources.Select(r => r.ObsId).ToList(), hours, true, warnings, null);
            var model = BackgroundModelBuilder.Build(plan.Target, sources, c.ModelOptions, cancellationToken);
            warnings.AddRange(model.Warnings);
            var written = BackgroundModelBuilder.Attach(plan.Target, model.ToHdu(), plan.Output, overwrite: true, cancellationToken);
            return new MakeBackgroundResult(id, written, sources.Select(r => r.ObsId).ToList(), hours, false, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or KeyNotFoundException or BinningMismatchException)
        {
            return new MakeBackgroundResult(id, null, [], 0, false, warnings, e);
        }
    }

    /// <summary>
    /// The matched runs, per target, in the config (background_selection.bkg_runlist), as the reference
    /// does, so that a rerun uses the same ones; a from_run pass records nothing ({run: [run]} would make a
    /// later matched pass build every model from the run itself). Entries of runs not made now are kept.
    /// </summary>
    private static void RecordBkgRunlist(GammapyToolsConfig config, bool fromRun, IReadOnlyList<MakeBackgroundResult> results)
    {
        if (fromRun) return;
        var bsSection = config.BackgroundSelectionSection;
        var record = bsSection.Get("bkg_runlist") as ConfigSection ?? new ConfigSection("background_selection.bkg_runlist", null);
        foreach (var r in results.Where(r => r.Succeeded))
            record.Set(r.ObsId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.BackgroundRuns.Select(x => (object?)x).ToList());
        bsSection.Set("bkg_runlist", record);
    }

    /// <summary>
    /// The runs a target's background model is built from: condition-matched runs, KL-ranked
    /// against the target's reference model (<see cref="TargetKl"/>) when it has one (nearest in
    /// time first otherwise), taken
    /// until time_request hours. A shortfall is added to <paramref name="warnings"/>.
    /// </summary>
    public static IReadOnlyList<Run> MatchedRuns(Run target, IReadOnlyList<Run> searchRuns, MimicCriteria criteria,
        BackgroundSelectionSettings selection, BackgroundModelCache cache, string? klTableDirectory, List<string> warnings,
        CancellationToken cancellationToken = default)
    {
        var steps = new List<SelectionStep>();
        var matched = MimicCandidateSelector.FilterByConditions(target, searchRuns, criteria, steps, warnings).ToList();
        if (selection.KlDiv && TargetKl.ReferenceRun(target, searchRuns) is not null)
            matched = TargetKl.Compute(target, matched, searchRuns, cache, klTableDirectory, warnings, cancellationToken: cancellationToken).Ranked.Select(r => r.Run).ToList();
        else
        {
            if (selection.KlDiv) warnings.Add($"run {target.ObsId} has no background model to rank by KL divergence; runs are taken nearest in time first");
            var t = target.DateAvg ?? target.DateObs;
            matched = matched.OrderBy(r => t is DateTime tt && (r.DateAvg ?? r.DateObs) is DateTime rt ? Math.Abs((rt - tt).TotalDays) : double.MaxValue)
                .ThenBy(r => r.ObsId).ToList();
        }
        double requested = (selection.TimeRequest ?? 10.0) * 3600.0;
        var chosen = new List<Run>();
        double total = 0;
        foreach (var r in matched)
        {
            if (total >= requested) break;
            chosen.Add(r);
            total += r.Livetime ?? 0;
        }
        if (total < requested)
            warnings.Add($"run {target.ObsId}: {total / 3600:0.##} h of background runs found, {requested / 3600:0.##} h requested");
        return chosen;
    }

    private static IReadOnlyDictionary<long, IReadOnlyList<long>> ReadBkgRunlist(ConfigSection selection)
    {
        var result = new Dictionary<long, IReadOnlyList<long>>();
        if (selection.Get("bkg_runlist") is not ConfigSection map) return result;
        foreach (var (key, value) in map.Entries)
            if (long.TryParse(key, out long target) && value is List<object?> runs)
                result[target] = runs.Select(r => Convert.ToInt64(r, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return result;
    }

    internal static ExclusionOptions LoadExclusions(GammapyToolsConfig config, MakeBackgroundOptions options)
    {
        var exclusion = config.Section("exclusion");
        var paths = options.CatalogPaths?.ToList() ?? Sky.CatalogSet.DefaultPaths().ToList();
        if (options.CatalogPaths is null && exclusion.Get("star_cat") is string && !paths.Any(p => p.EndsWith(".dat", StringComparison.OrdinalIgnoreCase)))
        {
            string star = config.RequirePath("exclusion", "star_cat");
            if (File.Exists(star)) paths.Add(star);
        }
        var regions = new List<ExclusionRegion>();
        if (exclusion.Get("exclude_regions") is List<object?> list)
            foreach (var item in list)
                if (item is List<object?> { Count: >= 3 } r)
                    regions.Add(new ExclusionRegion(new Sky.SkyCoord(Convert.ToDouble(r[0]), Convert.ToDouble(r[1])), Convert.ToDouble(r[2]), "exclude_regions"));
        var catalogs = paths.Count > 0 ? Sky.CatalogSet.Load(paths) : null;
        // exclude_source_name: [[name, radius], ...], names resolved offline in the catalogs.
        if (exclusion.Get("exclude_source_name") is List<object?> named)
            foreach (var item in named)
            {
                if (item is not List<object?> { Count: >= 1 } entry || entry[0] is not string name)
                    throw new ConfigException($"exclusion.exclude_source_name: expected [name, radius] items, got {ConfigValues.Describe(item)}", config.SourcePath, key: "exclusion.exclude_source_name");
                if (catalogs is null)
                    throw new ConfigException($"exclusion.exclude_source_name names '{name}', but no catalog is available to resolve it (give catalog files or set $GAMMAPY_DATA)", config.SourcePath, key: "exclusion.exclude_source_name");
                double radius = entry.Count > 1 ? Convert.ToDouble(entry[1], System.Globalization.CultureInfo.InvariantCulture) : 0.35;
                regions.Add(new ExclusionRegion(catalogs.Resolve(name).Position, radius, name));
            }
        var sky = config.Section("sky_map");
        return new ExclusionOptions
        {
            Catalogs = catalogs,
            StarMagnitudeLimit = sky.GetValue<double?>("min_star_brightness") ?? 8.0,
            UserRegions = regions,
        };
    }
}
