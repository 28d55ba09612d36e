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
    /// Runs the campaign (see the class comment). Before any work the config is validated and out_dir's
    /// <see cref="CampaignLock"/> taken (another campaign there is an error), and dead writers' temporary
    /// files are removed. Index files that cannot be written are returned in
    /// <see cref="CampaignResults{T}.FinalStepErrors"/> with the per-run results.
    /// </summary>
    public static CampaignResults<MakeBackgroundResult> Run(GammapyToolsConfig config, MakeBackgroundOptions options,
        IProgress<(int Done, int Total)>? progress = null)
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
        var searchRuns = search?.ObsIds.Select(search.GetRun).ToList() ?? [];
        var searchById = searchRuns.ToDictionary(r => r.ObsId);
        var explicitRuns = ReadBkgRunlist(bsSection);
        var criteria = MimicCriteriaConfig.FromConfig(selection);
        var cache = new BackgroundModelCache(new BackgroundIndex(options.CacheDirectory ?? config.CacheDirectory));
        if (search is not null) cache.AddStore(search);
        string identity = CampaignLock.IdentityOf("Invoke-MakeBackground", options.Overwrite.ToString(), config.ToYaml(outDir));
        using var campaignLock = CampaignLock.Acquire(outDir, identity, $"Invoke-MakeBackground, config {config.SourcePath ?? "(not from a file)"}");
        StaleTempFiles.Remove(outDir, campaignLock.Since);

        var ids = targets.ObsIds;
        var results = new MakeBackgroundResult[ids.Count];
        int done = 0;
        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, i =>
        {
            results[i] = MakeOne(targets, ids[i], outDir, fromRun, searchRuns, searchById, explicitRuns, criteria, selection, modelOptions, cache, options);
            progress?.Report((Interlocked.Increment(ref done), ids.Count));
        });

        var written = results.Where(r => r.Output is not null).Select(r => r.Output!.Path).ToList();
        var finalErrors = new List<Exception>();
        try
        {
            if (written.Count > 0) DataStoreIndex.Write(outDir, written.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            finalErrors.Add(e); // the per-run results are still returned
        }

        // The matched runs are recorded (as the reference does) so that a rerun uses the same ones;
        // a from_run pass records nothing: {run: [run]} would make a later matched pass build every
        // model from the run itself. Entries of runs not made now are kept.
        if (!fromRun)
        {
            var record = bsSection.Get("bkg_runlist") as ConfigSection ?? new ConfigSection("background_selection.bkg_runlist", null);
            foreach (var r in results.Where(r => r.Succeeded))
                record.Set(r.ObsId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.BackgroundRuns.Select(x => (object?)x).ToList());
            bsSection.Set("bkg_runlist", record);
        }
        return new CampaignResults<MakeBackgroundResult>(results, finalErrors);
    }

    private static MakeBackgroundResult MakeOne(DataStore targets, long id, string outDir, bool fromRun, IReadOnlyList<Run> searchRuns,
        IReadOnlyDictionary<long, Run> searchById,
        IReadOnlyDictionary<long, IReadOnlyList<long>> explicitRuns, MimicCriteria criteria, BackgroundSelectionSettings selection,
        BackgroundModelOptions modelOptions, BackgroundModelCache cache, MakeBackgroundOptions options)
    {
        var warnings = new List<string>();
        try
        {
            var target = targets.GetRun(id);
            string output = Path.Combine(outDir, Path.GetFileName(target.Path));
            IReadOnlyList<Run> sources;
            if (fromRun) sources = [target];
            else if (explicitRuns.TryGetValue(id, out var list) && list.Any(x => x != id))
            {
                // A run is not its own background run (an old from_run pass may have recorded it so).
                if (list.Contains(id)) warnings.Add($"run {id}: bkg_runlist names the run itself as its background run; it is left out");
                list = list.Where(x => x != id).ToList();
                var unknown = list.Where(x => !searchById.ContainsKey(x)).ToList();
                if (unknown.Count > 0) warnings.Add($"run {id}: bkg_runlist names runs not in the search store: {string.Join(", ", unknown)}");
                sources = list.Where(searchById.ContainsKey).Select(x => searchById[x]).ToList();
            }
            else
            {
                if (explicitRuns.TryGetValue(id, out var own) && own.Contains(id)) warnings.Add($"run {id}: bkg_runlist names only the run itself; its background runs are matched instead");
                sources = MatchedRuns(target, searchRuns, criteria, selection, cache, selection.StoreKl ? outDir : null, warnings);
            }

            if (sources.Count == 0)
                throw new InvalidOperationException($"run {id}: no background runs pass the selection; no model can be made");
            double hours = sources.Sum(r => r.Livetime ?? 0) / 3600.0;
            if (!options.Overwrite && File.Exists(output))
                return new MakeBackgroundResult(id, Dl3.Run.FromFile(output), sources.Select(r => r.ObsId).ToList(), hours, true, warnings, null);
            var model = BackgroundModelBuilder.Build(target, sources, modelOptions);
            warnings.AddRange(model.Warnings);
            var written = BackgroundModelBuilder.Attach(target, model.ToHdu(), output, overwrite: true);
            return new MakeBackgroundResult(id, written, sources.Select(r => r.ObsId).ToList(), hours, false, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or KeyNotFoundException or BinningMismatchException)
        {
            return new MakeBackgroundResult(id, null, [], 0, false, warnings, e);
        }
    }

    /// <summary>
    /// The runs a target's background model is built from: condition-matched runs, KL-ranked
    /// against the target's reference model (<see cref="TargetKl"/>) when it has one (nearest in
    /// time first otherwise), taken
    /// until time_request hours. A shortfall is added to <paramref name="warnings"/>.
    /// </summary>
    public static IReadOnlyList<Run> MatchedRuns(Run target, IReadOnlyList<Run> searchRuns, MimicCriteria criteria,
        BackgroundSelectionSettings selection, BackgroundModelCache cache, string? klTableDirectory, List<string> warnings)
    {
        var steps = new List<SelectionStep>();
        var matched = MimicCandidateSelector.FilterByConditions(target, searchRuns, criteria, steps, warnings).ToList();
        if (selection.KlDiv && TargetKl.ReferenceRun(target, searchRuns) is not null)
            matched = TargetKl.Compute(target, matched, searchRuns, cache, klTableDirectory, warnings).Ranked.Select(r => r.Run).ToList();
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
