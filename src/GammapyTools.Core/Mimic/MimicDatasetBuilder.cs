using GammapyTools.Background;
using GammapyTools.Cluster;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Output;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>Settings of a mimic campaign that do not come from the config.</summary>
public sealed record MimicDatasetOptions
{
    public long Seed { get; init; }
    /// <summary>Best candidate for dataset 1, second best for dataset 2, … instead of a seeded random choice.</summary>
    public bool Ranked { get; init; }
    /// <summary>Rebuild outputs that exist (otherwise a rerun only completes what is missing).</summary>
    public bool Force { get; init; }
    /// <summary>Do not scramble the background runs' sources (own object, catalog sources) out of their events (their excess is still measured).</summary>
    public bool NoScramble { get; init; }
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Catalogs of known sources scrambled (and measured) in background runs; null: those under $GAMMAPY_DATA, if any.</summary>
    public IReadOnlyList<string>? CatalogPaths { get; init; }
    /// <summary>Folder of the background-model index; null: config.cache_dir, else the default cache folder.</summary>
    public string? CacheDirectory { get; init; }
    /// <summary>Convert only this part of the run list and write no indexes (see <see cref="MimicDatasetBuilder.Complete"/>).</summary>
    public Shard? Shard { get; init; }
    /// <summary>
    /// <see cref="MimicDatasetBuilder.Complete"/> only: take the seed the shards recorded (each output's HISTORY
    /// and each mimic_i/config.yaml) instead of <see cref="Seed"/>; records that disagree are an error naming them.
    /// <see cref="Seed"/> is used when nothing is recorded.
    /// </summary>
    public bool SeedFromOutputs { get; init; }
}

/// <summary>One mimic output: dataset i (1-based) made from a background run.</summary>
public sealed record MimicOutput(int Dataset, long BackgroundObsId, double KlDivergence, string Path, bool Skipped)
{
    /// <summary>Largest excess (Li &amp; Ma σ) measured at the positions the background run scrambles; null: not measured or none in its field of view.</summary>
    public double? ScrambleSignificance { get; init; }
    /// <summary>Other targets the same background run serves in this dataset (empty unless no unused candidate was left).</summary>
    public IReadOnlyList<long> SharedWith { get; init; } = [];
}

/// <summary>What happened to one target run of a mimic campaign.</summary>
public sealed record MimicDatasetResult(long ObsId, string? Questionable, IReadOnlyList<MimicOutput> Outputs,
    IReadOnlyList<string> Warnings, Exception? Error)
{
    public bool Succeeded => Error is null;
    public IReadOnlyList<long> BackgroundRuns => Outputs.Select(o => o.BackgroundObsId).ToList();
    /// <summary>What each selection criterion (hygiene included) removed from this target's candidates.</summary>
    public IReadOnlyList<SelectionStep> Steps { get; init; } = [];
    /// <summary>How many different background runs fill this target's datasets (fewer than its outputs: the datasets are not independent for it).</summary>
    public int DistinctBackgroundRuns => Outputs.Select(o => o.BackgroundObsId).Distinct().Count();
    /// <summary>Background runs that fill more than one of this target's datasets (a target with fewer candidates than n_mimic).</summary>
    public IReadOnlyList<long> SharedBackgroundRuns =>
        Outputs.GroupBy(o => o.BackgroundObsId).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToList();
    /// <summary>The ranked candidates the datasets were chosen from (what Find-MimicRun -Config lists for this target).</summary>
    public IReadOnlyList<MimicCandidate> Candidates { get; init; } = [];
    /// <summary>The criterion that removed this questionable target's last candidates (<see cref="SelectionStep.Emptying"/>); null otherwise.</summary>
    public SelectionStep? EmptiedBy => Questionable is null ? null : SelectionStep.Emptying(Steps);

    /// <summary>The campaign's questionable targets grouped by the criterion that emptied them.</summary>
    public static IReadOnlyList<EmptiedTargets> Emptied(IEnumerable<MimicDatasetResult> results) =>
        EmptiedTargets.Group(results.Select(r => (r.ObsId, r.EmptiedBy)));
}

/// <summary>
/// gammapy-tools' mimic_data (DESIGN.md §5 "Mimic dataset"): for each run of the run list (taken
/// with its background model from io.out_dir, else io.in_dir), choose n_mimic background runs of
/// io.search_datastore (Find-MimicRun's selection, with the candidate hygiene), convert each into
/// the target's field of view with the target's background model, scrambling the background run's
/// sources out of it, and write <c>out_dir/mimic_i/&lt;target file name&gt;</c>. Then every
/// mimic_i gets its own obs-index, hdu-index and the config used; questionable targets are
/// recorded in that config.
/// <para>
/// Three steps: (1) every target's candidates, (2) the <see cref="MimicPlan"/> of the whole run
/// list (a background run serves one target per dataset while unused candidates remain — this
/// couples targets), (3) the conversions, each a pure function of (config, plan, target, seed):
/// random streams derive from the seed and OBS_IDs, outputs are written atomically and kept when
/// complete, and the indexes are written at the end — so an interrupted campaign rerun gives the
/// same stores, and a subset of targets converted elsewhere (a shard) gives the same files.
/// </para>
/// </summary>
public static class MimicDatasetBuilder
{
    public const string ConfigFileName = "config.yaml";

    /// <summary>
    /// Runs the campaign (see the class comment), or with <see cref="MimicDatasetOptions.Shard"/> its
    /// part i of N: steps 1 and 2 are made for the whole run list, step 3 only for the shard's targets,
    /// and a shard writes no indexes (<see cref="Complete"/> does, once every shard has run); results
    /// are those of the converted targets. Before any work: the config is validated, the run list
    /// read, out_dir's <see cref="CampaignLock"/> taken (another campaign there is an error; processes
    /// of this same campaign, e.g. its shards, share it), a different seed than the datasets present
    /// were made with is refused unless Force, and dead writers' temporary files are removed. A target
    /// that fails (a full disk, a bad file) is that target's result; the others go on. Index or config
    /// copies that cannot be written are returned in <see cref="CampaignResults{T}.FinalStepErrors"/>.
    /// Cancellation: no new file is started, a write in flight leaves nothing behind, and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static CampaignResults<MimicDatasetResult> Run(GammapyToolsConfig config, MimicDatasetOptions options,
        IProgress<CampaignProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var c = Open(config, options);
        using var campaignLock = CampaignLock.Acquire(c.OutDir, CampaignIdentity(config, c.OutDir, options),
            $"Invoke-MimicDataset, seed {options.Seed}, config {config.SourcePath ?? "(not from a file)"}");
        CheckSeed(c.OutDir, c.NMimic, options);
        config.BackgroundSelectionSection.Set("mimic_seed", options.Seed);
        StaleTempFiles.Remove(c.OutDir, campaignLock.Since);
        for (int i = 1; i <= c.NMimic; i++)
        {
            string folder = DatasetFolder(c.OutDir, i);
            Directory.CreateDirectory(folder);
            StaleTempFiles.Remove(folder, campaignLock.Since);
            // The seed is on disk from the start, so that a killed campaign's outputs are recognised too.
            string saved = Path.Combine(folder, ConfigFileName);
            if (options.Force || !File.Exists(saved)) config.Save(saved, overwrite: true);
        }

        var positions = options.Shard is { } shard ? shard.Positions(c.Ids.Count).ToList() : Enumerable.Range(0, c.Ids.Count).ToList();
        int done = 0, total = c.Ids.Count + positions.Count;
        Action<long> step = id => progress?.Report(new CampaignProgress(Interlocked.Increment(ref done), total, id));
        var (selections, errors, plan) = Select(c, options, step, cancellationToken);

        // 3. Conversions, target by target: only the shard's.
        var results = new MimicDatasetResult[positions.Count];
        Parallel.For(0, positions.Count, Parallelism(options, cancellationToken), n =>
        {
            int k = positions[n];
            results[n] = errors[k] is { } error
                ? new MimicDatasetResult(c.Ids[k], null, [], [], error)
                : ConvertTarget(c.Targets[k]!, selections[k]!, plan.For(c.Ids[k]), c.Selection.Criteria, c.Catalogs, c.OutDir, options, cancellationToken);
            step(c.Ids[k]);
        });
        cancellationToken.ThrowIfCancellationRequested();
        return new CampaignResults<MimicDatasetResult>(results, options.Shard is null ? WriteIndexes(config, c, selections, plan) : []);
    }

    /// <summary>
    /// The final step of a sharded campaign: when every output the campaign's plan asks for exists,
    /// writes each mimic_i's indexes and config (as an unsharded run does); otherwise writes nothing
    /// and reports the missing outputs, with the shard (of <paramref name="shardCount"/>) that makes each.
    /// It has out_dir to itself (<see cref="CampaignLock.AcquireSole"/>): it waits up to
    /// <paramref name="lockWait"/> for the campaign's shards (same config, seed, ranking) to end, and
    /// another campaign there is a <see cref="CampaignLockException"/>. Dead writers' temporary files are removed.
    /// </summary>
    public static CampaignCompletion Complete(GammapyToolsConfig config, MimicDatasetOptions options, int? shardCount = null,
        IProgress<CampaignProgress>? progress = null, CancellationToken cancellationToken = default, TimeSpan lockWait = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var c = Open(config, options);
        // The seed decides the lock's campaign key and the plan, so it is settled first.
        if (options.SeedFromOutputs) options = options with { Seed = RecordedSeed(c, shardCount) ?? options.Seed };
        using var campaignLock = CampaignLock.AcquireSole(c.OutDir, CampaignKey(config, c.OutDir, options),
            $"Complete-MimicDataset, seed {options.Seed}, config {config.SourcePath ?? "(not from a file)"}", lockWait, cancellationToken);
        CheckSeed(c.OutDir, c.NMimic, options);
        StaleTempFiles.Remove(c.OutDir, campaignLock.Since);
        for (int i = 1; i <= c.NMimic; i++) StaleTempFiles.Remove(DatasetFolder(c.OutDir, i), campaignLock.Since);
        int done = 0;
        var (selections, errors, plan) = Select(c, options, id => progress?.Report(new CampaignProgress(Interlocked.Increment(ref done), c.Ids.Count, id)), cancellationToken);
        var missing = new List<MissingOutput>();
        for (int k = 0; k < c.Ids.Count; k++)
        {
            if (errors[k] is not null || selections[k] is not { Questionable: null }) continue;
            foreach (var a in plan.For(c.Ids[k]))
            {
                string output = Path.Combine(DatasetFolder(c.OutDir, a.Dataset), Path.GetFileName(c.Targets[k]!.Path));
                if (!File.Exists(output)) missing.Add(new MissingOutput(c.Ids[k], output, shardCount is int n ? Shard.Of(k, n) : null));
            }
        }
        var failed = Enumerable.Range(0, c.Ids.Count).Where(k => errors[k] is not null).Select(k => (c.Ids[k], errors[k]!)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Exception> finalErrors = [];
        if (missing.Count == 0)
        {
            config.BackgroundSelectionSection.Set("mimic_seed", options.Seed); // as the shards saved it
            finalErrors = WriteIndexes(config, c, selections, plan);
        }
        return new CampaignCompletion(missing.Count == 0, c.Ids.Count, missing, failed) { FinalStepErrors = finalErrors };
    }

    /// <summary>What every target of a campaign needs before its candidates are found: read once per process.</summary>
    private sealed record Campaign(string OutDir, int NMimic, BackgroundSelectionSettings Settings, IReadOnlyList<long> Ids,
        DataStore TargetStore, IReadOnlyList<Run?> Targets, CatalogSet? Catalogs, MimicSelection Selection);

    private static Campaign Open(GammapyToolsConfig config, MimicDatasetOptions options)
    {
        string outDir = config.RequirePath("io", "out_dir");
        config.Validate();
        var selection = config.GetBackgroundSelection();
        int nMimic = selection.NMimic;
        if (nMimic is < 1 or > ConfigSchema.MaxMimicDatasets)
            throw new ConfigException($"background_selection.n_mimic must be between 1 and {ConfigSchema.MaxMimicDatasets}", config.SourcePath, key: "background_selection.n_mimic");
        var (targetStore, ids, targets) = RunListTargets(config);
        var search = DataStore.Open(config.RequirePath("io", "search_datastore", mustExist: true));
        var cache = new BackgroundModelCache(new BackgroundIndex(options.CacheDirectory ?? config.CacheDirectory));
        var catalogs = LoadCatalogs(options.CatalogPaths);
        var candidates = new MimicSelection(CampaignCriteria(config, targets.OfType<Run>().ToList()), cache.Runs(search), cache,
            selection.StoreKl ? outDir : null, catalogs, InDirStore(config, targetStore)) { RunListTargets = targets.Count(t => t is not null) };
        return new Campaign(outDir, nMimic, selection, ids, targetStore, targets, catalogs, candidates);
    }

    /// <summary>
    /// The run list's targets as a campaign reads them (with their background models: from out_dir
    /// when it is indexed, else from io.in_dir); a run missing from that store is null.
    /// </summary>
    public static (DataStore Store, IReadOnlyList<long> Ids, IReadOnlyList<Run?> Targets) RunListTargets(GammapyToolsConfig config)
    {
        var ids = RunListReader.FromConfig(config);
        var store = OpenTargetStore(config, config.RequirePath("io", "out_dir"));
        return (store, ids, ids.Select(id => store.Contains(id) ? store.GetRun(id) : null).ToList());
    }

    private static ParallelOptions Parallelism(MimicDatasetOptions options, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };

    /// <summary>Steps 1 and 2 for the whole run list (never only a shard's: the plan couples targets).</summary>
    private static (CandidateSelection?[] Selections, Exception?[] Errors, MimicPlan Plan) Select(Campaign c, MimicDatasetOptions options,
        Action<long> step, CancellationToken cancellationToken)
    {
        // 1. Candidates of every target.
        var selections = new CandidateSelection?[c.Ids.Count];
        var errors = new Exception?[c.Ids.Count];
        Parallel.For(0, c.Ids.Count, Parallelism(options, cancellationToken), k =>
        {
            try
            {
                var target = c.Targets[k] ?? throw new KeyNotFoundException($"run {c.Ids[k]} of the run list is not in the target data store {c.TargetStore.Root}");
                selections[k] = c.Selection.Find(target, cancellationToken);
            }
            catch (Exception e) when (IsTargetError(e)) { errors[k] = e; }
            step(c.Ids[k]);
        });

        // 2. The plan of the whole run list.
        var plan = MimicPlan.Create(
            Enumerable.Range(0, c.Ids.Count).Where(k => selections[k] is { Questionable: null })
                .Select(k => new MimicPlanTarget(c.Ids[k], selections[k]!.Candidates)).ToList(),
            c.NMimic, options.Seed, options.Ranked, c.Settings.UniquePerDataset);
        return (selections, errors, plan);
    }

    /// <summary>
    /// Questionable targets and targets whose datasets share background runs in the saved config, then
    /// every mimic_i's indexes and config copy.
    /// </summary>
    /// <returns>The index or config files that could not be written (the rest are).</returns>
    private static IReadOnlyList<Exception> WriteIndexes(GammapyToolsConfig config, Campaign c, IReadOnlyList<CandidateSelection?> selections, MimicPlan plan)
    {
        for (int k = 0; k < c.Ids.Count; k++)
            if (selections[k]?.Questionable is { } reason) config.AddQuestionable(c.Ids[k], reason);
        // From the plan, not the results: Complete writes this for targets that shards converted.
        var shared = new List<object?>();
        foreach (long id in c.Ids)
        {
            var assigned = plan.For(id);
            int distinct = assigned.Select(a => a.Candidate.ObsId).Distinct().Count();
            if (distinct < assigned.Count) shared.Add(new List<object?> { id, distinct, assigned.Count });
        }
        if (shared.Count > 0 || config.BackgroundSelectionSection.Get("shared_background_runs") is not null)
            config.BackgroundSelectionSection.Set("shared_background_runs", shared);
        var finalErrors = new List<Exception>();
        for (int i = 1; i <= c.NMimic; i++)
        {
            string folder = DatasetFolder(c.OutDir, i);
            try
            {
                var files = Directory.EnumerateFiles(folder, "*.fits*")
                    .Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal))
                    .Where(f => !DataStore.HduIndexNames.Concat(DataStore.ObsIndexNames).Contains(Path.GetFileName(f)))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count > 0) DataStoreIndex.Write(folder, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
                config.Save(Path.Combine(folder, ConfigFileName), overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException)
            {
                finalErrors.Add(e);
            }
        }
        return finalErrors;
    }

    /// <summary>
    /// What makes two processes the same campaign (shards of it may share out_dir): the command, its
    /// settings and the config. Its campaign part (<see cref="CampaignKey"/>) is what Complete also knows.
    /// </summary>
    private static string CampaignIdentity(GammapyToolsConfig config, string outDir, MimicDatasetOptions options) =>
        CampaignLock.MemberIdentity(CampaignKey(config, outDir, options),
            CampaignLock.IdentityOf(options.NoScramble.ToString(), options.Force.ToString(), string.Join("|", options.CatalogPaths ?? [])));

    /// <summary>The campaign a process belongs to: the config, the seed and the choice (ranked or seeded) — what decides its outputs.</summary>
    private static string CampaignKey(GammapyToolsConfig config, string outDir, MimicDatasetOptions options) =>
        CampaignLock.IdentityOf("Invoke-MimicDataset", options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            options.Ranked.ToString(), config.ToYaml(outDir));

    /// <summary>
    /// A rerun must use the seed the datasets present were made with: otherwise kept outputs of one seed
    /// and new outputs of another mix in one dataset (the same background run twice for one target, …).
    /// With Force every output is rebuilt, so any seed is fine.
    /// </summary>
    private static void CheckSeed(string outDir, int nMimic, MimicDatasetOptions options)
    {
        if (options.Force) return;
        for (int i = 1; i <= nMimic; i++)
        {
            string saved = Path.Combine(DatasetFolder(outDir, i), ConfigFileName);
            if (!File.Exists(saved)) continue;
            long? seed = GammapyToolsConfig.Load(saved).BackgroundSelectionSection.GetValue<long?>("mimic_seed");
            if (seed is long s && s != options.Seed)
                throw new ConfigException($"this dataset was made with seed {s}, this campaign has seed {options.Seed}: rerun with -Seed {s} to complete it, " +
                    "use -Force to rebuild it with the new seed, or choose another out_dir", saved, key: "background_selection.mimic_seed");
        }
    }

    /// <summary>The HISTORY line of every mimic output that records the campaign's seed (read back by <see cref="RecordedSeed"/>).</summary>
    private static string SeedHistory(long seed, int dataset) =>
        FormattableString.Invariant($"GammapyTools Invoke-MimicDataset: mimic_{dataset}, campaign seed {seed}.");

    private static readonly System.Text.RegularExpressions.Regex SeedHistoryPattern =
        new(@"^GammapyTools Invoke-MimicDataset: mimic_\d+, campaign seed (-?\d+)\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// The seed a campaign's present outputs were made with: the seed in the HISTORY of every mimic
    /// output of a run-list target and the mimic_seed of every mimic_i/config.yaml (written when a shard
    /// starts). Null when none records one; two seeds are a <see cref="ConfigException"/> naming, for
    /// each seed, the shards (of <paramref name="shardCount"/>; else the target runs) and configs that have it.
    /// </summary>
    private static long? RecordedSeed(Campaign c, int? shardCount)
    {
        var bySeed = new SortedDictionary<long, SortedSet<string>>();
        void Add(long seed, string who)
        {
            if (!bySeed.TryGetValue(seed, out var set)) bySeed[seed] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(who);
        }
        for (int i = 1; i <= c.NMimic; i++)
        {
            string saved = Path.Combine(DatasetFolder(c.OutDir, i), ConfigFileName);
            if (File.Exists(saved) && GammapyToolsConfig.Load(saved).BackgroundSelectionSection.GetValue<long?>("mimic_seed") is long s)
                Add(s, $"mimic_{i}/{ConfigFileName}");
        }
        for (int k = 0; k < c.Ids.Count; k++)
        {
            if (c.Targets[k] is not { } target) continue;
            for (int i = 1; i <= c.NMimic; i++)
            {
                string output = Path.Combine(DatasetFolder(c.OutDir, i), Path.GetFileName(target.Path));
                if (File.Exists(output) && OutputSeed(output) is long s)
                    Add(s, shardCount is int n ? $"shard {Shard.Of(k, n)}" : $"run {c.Ids[k]}");
            }
        }
        if (bySeed.Count > 1)
            throw new ConfigException("the outputs present were made with different seeds: " +
                string.Join("; ", bySeed.Select(kv => $"seed {kv.Key} by {string.Join(", ", kv.Value.Take(20))}{(kv.Value.Count > 20 ? ", …" : "")}")) +
                ". Rerun the shards of one seed with -Seed and -Force, or give Complete-MimicDataset the -Seed to check against",
                c.OutDir, key: "background_selection.mimic_seed");
        return bySeed.Count == 1 ? bySeed.Keys.First() : null;
    }

    /// <summary>The campaign seed in a mimic output's HISTORY (<see cref="SeedHistory"/>); null in outputs made before it was recorded.</summary>
    private static long? OutputSeed(string path)
    {
        using var file = FitsFile.Open(path);
        foreach (var hdu in file.Hdus)
            foreach (var card in hdu.Header.Where(card => card.Keyword == "HISTORY"))
                if (card.Comment is { } text && SeedHistoryPattern.Match(text) is { Success: true } m)
                    return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>
    /// The config's criteria with the run list's objects and source positions: a background run of
    /// any target's source is no background for another target of the same list either.
    /// </summary>
    public static MimicCriteria CampaignCriteria(GammapyToolsConfig config, IReadOnlyList<Run> targets)
    {
        var c = MimicCriteriaConfig.FromConfig(config);
        return c with
        {
            RunListObjects = targets.Select(t => t.Object).OfType<string>().Distinct().ToList(),
            RunListSources = c.RunListSources.Concat(targets
                .Where(t => t.RaObj is not null && t.DecObj is not null)
                .Select(t => new SkyCoord(t.RaObj!.Value, t.DecObj!.Value))).Distinct().ToList(),
        };
    }

    /// <summary>Source catalogs for scrambling: the given files, else those under $GAMMAPY_DATA; null when there are none.</summary>
    public static CatalogSet? LoadCatalogs(IReadOnlyList<string>? paths)
    {
        var files = paths ?? CatalogSet.DefaultPaths().ToList();
        return files.Count > 0 ? CatalogSet.Load(files) : null;
    }

    private static bool IsTargetError(Exception e) => e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException
        or KeyNotFoundException or FovConversionException or BinningMismatchException or ArgumentException;

    public static string DatasetFolder(string outDir, int dataset) => Path.Combine(outDir, $"mimic_{dataset}");

    private static DataStore OpenTargetStore(GammapyToolsConfig config, string outDir)
    {
        // Targets need their background models: after Invoke-MakeBackground they are in out_dir.
        if (DataStore.HduIndexNames.Any(n => File.Exists(Path.Combine(outDir, n)))) return DataStore.Open(outDir);
        return DataStore.Open(config.RequirePath("io", "in_dir", mustExist: true));
    }

    /// <summary>
    /// io.in_dir's store, which holds the targets' reference models (<see cref="TargetKl"/>), or null
    /// when the config has none, it is not indexed, or it is the target store itself.
    /// </summary>
    public static DataStore? InDirStore(GammapyToolsConfig config, DataStore? targets)
    {
        if (config.Get("io") is not ConfigSection io || io.Get("in_dir") is not string || io.Get("in_dir") is "") return null;
        string inDir = config.RequirePath("io", "in_dir");
        if (targets is not null && string.Equals(Path.GetFullPath(inDir).TrimEnd('/'), Path.GetFullPath(targets.Root).TrimEnd('/'), StringComparison.Ordinal)) return null;
        return DataStore.HduIndexNames.Any(n => File.Exists(Path.Combine(inDir, n))) ? DataStore.Open(inDir) : null;
    }

    /// <summary>Step 3 for one target: its planned conversions (the plan is computed for the whole run list first).</summary>
    private static MimicDatasetResult ConvertTarget(Run target, CandidateSelection selection, IReadOnlyList<MimicAssignment> plan,
        MimicCriteria criteria, CatalogSet? catalogs, string outDir, MimicDatasetOptions options, CancellationToken cancellationToken)
    {
        long id = target.ObsId;
        var warnings = selection.Warnings.ToList();
        if (selection.Questionable is { } reason) return new MimicDatasetResult(id, reason, [], warnings, null) { Steps = selection.Steps, Candidates = selection.Candidates };
        if (selection.Candidates.Count < plan.Count)
            warnings.Add($"run {id}: {selection.Candidates.Count} candidate(s) for {plan.Count} datasets: its datasets share {plan.Select(a => a.Candidate.ObsId).Distinct().Count()} distinct background run(s), so they are not independent for this run (DistinctBackgroundRuns, SharedBackgroundRuns; background_selection.shared_background_runs of mimic_i/config.yaml)");
        foreach (var a in plan.Where(a => a.SharedWith.Count > 0))
            warnings.Add($"run {id}: in mimic_{a.Dataset} background run {a.Candidate.ObsId} also serves run(s) {string.Join(", ", a.SharedWith)}: no unused candidate was left");

        var outputs = new List<MimicOutput>();
        try
        {
            foreach (var a in plan)
            {
                var candidate = a.Candidate;
                string output = Path.Combine(DatasetFolder(outDir, a.Dataset), Path.GetFileName(target.Path));
                var made = new MimicOutput(a.Dataset, candidate.ObsId, candidate.KlDivergence, output, Skipped: false)
                {
                    ScrambleSignificance = candidate.ScrambleSignificance,
                    SharedWith = a.SharedWith,
                };
                if (!options.Force && File.Exists(output))
                {
                    outputs.Add(made with { Skipped = true });
                    continue;
                }
                var convert = new ConvertOptions
                {
                    OutputPath = output,
                    CopyBackground = true,
                    Force = true,
                    Seed = (long)(new MimicRandom((ulong)options.Seed, (ulong)id, (ulong)a.Dataset).NextUInt64() & long.MaxValue),
                    Sources = options.NoScramble ? [] : SourcesToScramble(candidate, criteria, catalogs, warnings),
                    History = [SeedHistory(options.Seed, a.Dataset), .. History(candidate, criteria)],
                };
                warnings.AddRange(FovConverter.Convert(candidate.Run, target, convert, cancellationToken).Warnings);
                outputs.Add(made);
            }
            return new MimicDatasetResult(id, null, outputs, warnings, null) { Steps = selection.Steps, Candidates = selection.Candidates };
        }
        catch (Exception e) when (IsTargetError(e))
        {
            return new MimicDatasetResult(id, null, outputs, warnings, e) { Steps = selection.Steps, Candidates = selection.Candidates };
        }
    }

    /// <summary>
    /// The positions measured before the run was accepted (its own object, catalog sources in its
    /// field of view), or the same positions when the measurement is switched off.
    /// </summary>
    private static IReadOnlyList<ScrambleSource> SourcesToScramble(MimicCandidate candidate, MimicCriteria criteria, CatalogSet? catalogs, List<string> warnings)
    {
        var positions = candidate.Scramble?.Positions.Select(p => new ScrambleSource(p.Source, p.Position, p.Theta)).ToList()
            ?? ScrambleChecker.Positions(candidate.Run, criteria.ScrambleTheta, criteria.FieldOfViewRadius, catalogs);
        var sources = new List<ScrambleSource>();
        foreach (var p in positions)
        {
            double d = SphericalGeometry.Separation(candidate.Run.Pointing, p.Position);
            // A source at the camera centre leaves no annulus outside its circle to learn the profile from.
            if (d > p.Theta) sources.Add(p);
            else warnings.Add($"background run {candidate.ObsId}: '{p.Name}' is {d:0.###}° from the pointing, within θ = {p.Theta}°; not scrambled");
        }
        return sources;
    }

    /// <summary>HISTORY of a mimic output: the excess measured where the background run was scrambled.</summary>
    private static IReadOnlyList<string> History(MimicCandidate candidate, MimicCriteria criteria) => candidate.Scramble is { } check
        ? [FormattableString.Invariant($"GammapyTools Invoke-MimicDataset hygiene: excess of background run {candidate.ObsId} before scrambling, Li & Ma, ON radius {criteria.ScrambleTheta} deg vs the same-offset ring: {check.Describe()}; limit {criteria.MaxScrambleSignificance} sigma.")]
        : [];
}
