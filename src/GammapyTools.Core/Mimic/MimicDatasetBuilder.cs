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
    /// <summary>Do not scramble the background runs' own objects (RA_OBJ/DEC_OBJ) out of their events.</summary>
    public bool NoScramble { get; init; }
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Convert only this part of the run list and write no indexes (see <see cref="MimicDatasetBuilder.Complete"/>).</summary>
    public Shard? Shard { get; init; }
}

/// <summary>One mimic output: dataset i (1-based) made from a background run.</summary>
public sealed record MimicOutput(int Dataset, long BackgroundObsId, double KlDivergence, string Path, bool Skipped);

/// <summary>What happened to one target run of a mimic campaign.</summary>
public sealed record MimicDatasetResult(long ObsId, string? Questionable, IReadOnlyList<MimicOutput> Outputs,
    IReadOnlyList<string> Warnings, Exception? Error)
{
    public bool Succeeded => Error is null;
    public IReadOnlyList<long> BackgroundRuns => Outputs.Select(o => o.BackgroundObsId).ToList();
}

/// <summary>
/// gammapy-tools' mimic_data (DESIGN.md §5 "Mimic dataset"): for each run of the run list (taken
/// with its background model from io.out_dir, else io.in_dir), choose n_mimic background runs of
/// io.search_datastore (Find-MimicRun's selection), convert each into the target's field of view
/// with the target's background model, scrambling the background run's own object out of it, and
/// write <c>out_dir/mimic_i/&lt;target file name&gt;</c>. Then every mimic_i gets its own
/// obs-index, hdu-index and the config used; questionable targets are recorded in that config.
/// Each target is a pure function of (config, target, seed): its random stream is derived from
/// the seed and its OBS_ID, outputs are written atomically and kept when complete, and the
/// indexes are written at the end — so an interrupted campaign rerun gives the same stores.
/// </summary>
public static class MimicDatasetBuilder
{
    public const string ConfigFileName = "config.yaml";

    /// <summary>Objects further than this from the pointing (degrees) are outside the camera and left alone.</summary>
    public const double MaxObjectOffset = 2.0;

    /// <summary>
    /// Runs the campaign (see the class comment), or with <see cref="MimicDatasetOptions.Shard"/> its
    /// part i of N: the selection is made for every target of the run list (so that choices that depend
    /// on other targets are the same in every shard), only the shard's targets are converted, and a
    /// shard writes no indexes (<see cref="Complete"/> does, once every shard has run). Results are
    /// those of the converted targets. Before any work: the config is validated, the run list read,
    /// out_dir's <see cref="CampaignLock"/> taken (another campaign there is an error; processes of this
    /// same campaign, e.g. its shards, share it), a different seed than the datasets present were made
    /// with is refused unless Force, and dead writers' temporary files are removed. A target that fails
    /// (a full disk, a bad file) is that target's result; the others go on. Index or config copies that
    /// cannot be written are returned in <see cref="CampaignResults{T}.FinalStepErrors"/>.
    /// Cancellation: no new file is started, a write in flight leaves nothing behind, and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public static CampaignResults<MimicDatasetResult> Run(GammapyToolsConfig config, MimicDatasetOptions options,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var campaign = Open(config);
        string outDir = campaign.OutDir;
        using var campaignLock = CampaignLock.Acquire(outDir, CampaignIdentity(config, outDir, options),
            $"Invoke-MimicDataset, seed {options.Seed}, config {config.SourcePath ?? "(not from a file)"}");
        CheckSeed(outDir, campaign.NMimic, options);
        config.BackgroundSelectionSection.Set("mimic_seed", options.Seed);
        StaleTempFiles.Remove(outDir, campaignLock.Since);
        for (int i = 1; i <= campaign.NMimic; i++)
        {
            string folder = DatasetFolder(outDir, i);
            Directory.CreateDirectory(folder);
            StaleTempFiles.Remove(folder, campaignLock.Since);
            // The seed is on disk from the start, so that a killed campaign's outputs are recognised too.
            string saved = Path.Combine(folder, ConfigFileName);
            if (options.Force || !File.Exists(saved)) config.Save(saved, overwrite: true);
        }

        var positions = options.Shard is { } shard ? shard.Positions(campaign.Ids.Count).ToList() : Enumerable.Range(0, campaign.Ids.Count).ToList();
        int total = campaign.Ids.Count + positions.Count;
        int done = 0;
        Action step = () => progress?.Report((Interlocked.Increment(ref done), total));
        var plans = Select(campaign, options, step, cancellationToken);

        var results = new MimicDatasetResult[positions.Count];
        Parallel.For(0, positions.Count, Parallelism(options, cancellationToken), k =>
        {
            results[k] = ConvertOne(plans[positions[k]], campaign, options, cancellationToken);
            step();
        });

        cancellationToken.ThrowIfCancellationRequested();
        return new CampaignResults<MimicDatasetResult>(results, options.Shard is null ? WriteIndexes(config, campaign, plans) : []);
    }

    /// <summary>
    /// The final step of a sharded campaign: when every output the campaign's selection asks for
    /// exists, writes each mimic_i's indexes and config (as an unsharded run does); otherwise writes
    /// nothing and reports the missing outputs, with the shard (of <paramref name="shardCount"/>)
    /// that makes each.
    /// </summary>
    public static CampaignCompletion Complete(GammapyToolsConfig config, MimicDatasetOptions options, int? shardCount = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var campaign = Open(config);
        CheckSeed(campaign.OutDir, campaign.NMimic, options);
        int done = 0;
        var plans = Select(campaign, options, () => progress?.Report((Interlocked.Increment(ref done), campaign.Ids.Count)), cancellationToken);
        var missing = new List<MissingOutput>();
        for (int k = 0; k < plans.Count; k++)
        {
            var plan = plans[k];
            if (plan.Target is null || plan.Questionable is not null || plan.Error is not null) continue;
            for (int i = 1; i <= campaign.NMimic; i++)
            {
                string output = OutputPath(campaign.OutDir, i, plan.Target);
                if (!File.Exists(output)) missing.Add(new MissingOutput(plan.ObsId, output, shardCount is int n ? Shard.Of(k, n) : null));
            }
        }
        var failed = plans.Where(p => p.Error is not null).Select(p => new MimicDatasetResult(p.ObsId, null, [], p.Warnings, p.Error)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<Exception> finalErrors = [];
        if (missing.Count == 0)
        {
            config.BackgroundSelectionSection.Set("mimic_seed", options.Seed); // as the shards saved it
            finalErrors = WriteIndexes(config, campaign, plans);
        }
        return new CampaignCompletion(missing.Count == 0, campaign.Ids.Count, missing, failed.Select(f => (f.ObsId, f.Error!)).ToList())
        {
            FinalStepErrors = finalErrors,
        };
    }

    /// <summary>What makes two processes the same campaign (shards of it may share out_dir): the command, its settings and the config.</summary>
    private static string CampaignIdentity(GammapyToolsConfig config, string outDir, MimicDatasetOptions options) =>
        CampaignLock.IdentityOf("Invoke-MimicDataset", options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            options.Ranked.ToString(), options.NoScramble.ToString(), options.Force.ToString(), config.ToYaml(outDir));

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

    public static string DatasetFolder(string outDir, int dataset) => Path.Combine(outDir, $"mimic_{dataset}");

    private static string OutputPath(string outDir, int dataset, Run target) => Path.Combine(DatasetFolder(outDir, dataset), Path.GetFileName(target.Path));

    /// <summary>What every target of a campaign needs before conversion: read once per process.</summary>
    private sealed record Campaign(string OutDir, int NMimic, double ScrambleTheta, MimicCriteria Criteria, string? KlTables,
        DataStore Targets, IReadOnlyList<Run> SearchRuns, IReadOnlyList<long> Ids, BackgroundModelCache Cache);

    /// <summary>The selection for one target: its background run per dataset, or why it has none.</summary>
    private sealed record TargetPlan(long ObsId, Run? Target, IReadOnlyList<MimicCandidate> Chosen, string? Questionable,
        List<string> Warnings, Exception? Error);

    private static Campaign Open(GammapyToolsConfig config)
    {
        string outDir = config.RequirePath("io", "out_dir");
        config.Validate();
        var selection = config.GetBackgroundSelection();
        int nMimic = selection.NMimic;
        if (nMimic is < 1 or > ConfigSchema.MaxMimicDatasets)
            throw new ConfigException($"background_selection.n_mimic must be between 1 and {ConfigSchema.MaxMimicDatasets}", config.SourcePath, key: "background_selection.n_mimic");
        double scrambleTheta = config.BackgroundSelectionSection.GetValue<double?>("scramble_theta") ?? ConvertOptions.DefaultScrambleTheta;
        var search = DataStore.Open(config.RequirePath("io", "search_datastore", mustExist: true));
        return new Campaign(outDir, nMimic, scrambleTheta, MimicCriteriaConfig.FromConfig(selection), selection.StoreKl ? outDir : null,
            OpenTargetStore(config, outDir), search.ObsIds.Select(search.GetRun).ToList(), RunListReader.FromConfig(config), new BackgroundModelCache());
    }

    private static ParallelOptions Parallelism(MimicDatasetOptions options, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };

    /// <summary>The candidate selection of every target of the run list (never only a shard's: see <see cref="Run"/>).</summary>
    private static IReadOnlyList<TargetPlan> Select(Campaign c, MimicDatasetOptions options, Action step, CancellationToken cancellationToken)
    {
        var plans = new TargetPlan[c.Ids.Count];
        Parallel.For(0, c.Ids.Count, Parallelism(options, cancellationToken), k =>
        {
            plans[k] = SelectOne(c.Ids[k], c, options, cancellationToken);
            step();
        });
        return plans;
    }

    private static TargetPlan SelectOne(long id, Campaign c, MimicDatasetOptions options, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        try
        {
            if (!c.Targets.Contains(id))
                throw new KeyNotFoundException($"run {id} of the run list is not in the target data store {c.Targets.Root}");
            var target = c.Targets.GetRun(id);
            var selection = MimicCandidateFinder.Find(target, c.SearchRuns, c.Criteria, c.Cache, c.KlTables, cancellationToken);
            warnings.AddRange(selection.Warnings);
            if (selection.Questionable is { } reason) return new TargetPlan(id, target, [], reason, warnings, null);
            if (selection.Candidates.Count < c.NMimic)
                warnings.Add($"run {id}: {selection.Candidates.Count} candidate(s) for {c.NMimic} datasets; some background runs are used more than once");
            return new TargetPlan(id, target, Choose(selection.Candidates, c.NMimic, options, id), null, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException or KeyNotFoundException
            or BinningMismatchException or ArgumentException)
        {
            return new TargetPlan(id, null, [], null, warnings, e);
        }
    }

    /// <summary>Writes every mimic_i's obs-index, hdu-index and config (questionable targets recorded in it).</summary>
    /// <returns>The index or config files that could not be written (the rest are).</returns>
    private static IReadOnlyList<Exception> WriteIndexes(GammapyToolsConfig config, Campaign c, IReadOnlyList<TargetPlan> plans)
    {
        foreach (var p in plans.Where(p => p.Questionable is not null)) config.AddQuestionable(p.ObsId, p.Questionable!);
        var finalErrors = new List<Exception>();
        for (int i = 1; i <= c.NMimic; i++)
        {
            string folder = DatasetFolder(c.OutDir, i);
            try
            {
                Directory.CreateDirectory(folder);
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

    private static DataStore OpenTargetStore(GammapyToolsConfig config, string outDir)
    {
        // Targets need their background models: after Invoke-MakeBackground they are in out_dir.
        if (DataStore.HduIndexNames.Any(n => File.Exists(Path.Combine(outDir, n)))) return DataStore.Open(outDir);
        return DataStore.Open(config.RequirePath("io", "in_dir", mustExist: true));
    }

    private static MimicDatasetResult ConvertOne(TargetPlan plan, Campaign c, MimicDatasetOptions options, CancellationToken cancellationToken)
    {
        var warnings = plan.Warnings;
        if (plan.Error is not null || plan.Questionable is not null || plan.Target is null)
            return new MimicDatasetResult(plan.ObsId, plan.Questionable, [], warnings, plan.Error);
        long id = plan.ObsId;
        try
        {
            var outputs = new List<MimicOutput>();
            for (int i = 1; i <= c.NMimic; i++)
            {
                var candidate = plan.Chosen[i - 1];
                string output = OutputPath(c.OutDir, i, plan.Target);
                if (!options.Force && File.Exists(output))
                {
                    outputs.Add(new MimicOutput(i, candidate.ObsId, candidate.KlDivergence, output, true));
                    continue;
                }
                var convert = new ConvertOptions
                {
                    OutputPath = output,
                    CopyBackground = true,
                    Force = true,
                    Seed = (long)(new MimicRandom((ulong)options.Seed, (ulong)id, (ulong)i).NextUInt64() & long.MaxValue),
                    Sources = options.NoScramble ? [] : ObjectToScramble(candidate.Run, c.ScrambleTheta, c.Criteria, warnings),
                };
                warnings.AddRange(FovConverter.Convert(candidate.Run, plan.Target, convert, cancellationToken).Warnings);
                outputs.Add(new MimicOutput(i, candidate.ObsId, candidate.KlDivergence, output, false));
            }
            return new MimicDatasetResult(id, null, outputs, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidOperationException or KeyNotFoundException
            or FovConversionException or BinningMismatchException or ArgumentException)
        {
            return new MimicDatasetResult(id, null, [], warnings, e);
        }
    }

    /// <summary>
    /// The background run of each dataset: ranked (best first) or a seeded random order without
    /// repeats; when there are fewer candidates than datasets, the order starts over.
    /// </summary>
    internal static IReadOnlyList<MimicCandidate> Choose(IReadOnlyList<MimicCandidate> candidates, int n, MimicDatasetOptions options, long targetObsId)
    {
        var order = candidates.ToList();
        if (!options.Ranked)
        {
            var random = new MimicRandom((ulong)options.Seed, (ulong)targetObsId, 0x6D696D6963UL); // "mimic"
            for (int i = order.Count - 1; i > 0; i--)
            {
                int j = (int)(random.NextDouble() * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return Enumerable.Range(0, n).Select(i => order[i % order.Count]).ToList();
    }

    /// <summary>The background run's own object, scrambled out when it lies in the field of view (as gammapy-tools does).</summary>
    private static IReadOnlyList<ScrambleSource> ObjectToScramble(Run background, double theta, MimicCriteria criteria, List<string> warnings)
    {
        if (background.RaObj is not double ra || background.DecObj is not double dec) return [];
        var position = new SkyCoord(ra, dec);
        double d = SphericalGeometry.Separation(background.Pointing, position);
        if (d > MaxObjectOffset) return []; // not in the field of view: nothing to scramble
        // A source at the camera centre leaves no annulus outside its circle to learn the profile from.
        if (d <= theta)
        {
            warnings.Add($"background run {background.ObsId}: its object is {d:0.###}° from the pointing, within θ = {theta}°; not scrambled");
            return [];
        }
        return [new ScrambleSource(background.Object ?? $"object of run {background.ObsId}", position, theta)];
    }
}
