using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
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
    /// <summary>Folder of the background-model index; null: config.cache_dir, else the default cache folder.</summary>
    public string? CacheDirectory { get; init; }
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

    public static IReadOnlyList<MimicDatasetResult> Run(GammapyToolsConfig config, MimicDatasetOptions options,
        IProgress<(int Done, int Total)>? progress = null)
    {
        string outDir = config.RequirePath("io", "out_dir");
        var selection = config.GetBackgroundSelection();
        int nMimic = selection.NMimic;
        if (nMimic < 1) throw new ConfigException("background_selection.n_mimic must be at least 1", config.SourcePath, key: "background_selection.n_mimic");
        double scrambleTheta = config.BackgroundSelectionSection.GetValue<double?>("scramble_theta") ?? 0.3;
        var criteria = MimicCriteriaConfig.FromConfig(selection);
        string? klTables = selection.StoreKl ? outDir : null;

        var targetStore = OpenTargetStore(config, outDir);
        var search = DataStore.Open(config.RequirePath("io", "search_datastore", mustExist: true));
        var searchRuns = search.ObsIds.Select(search.GetRun).ToList();
        var ids = RunListReader.FromConfig(config);
        for (int i = 1; i <= nMimic; i++) Directory.CreateDirectory(DatasetFolder(outDir, i));

        var cache = new BackgroundModelCache(new BackgroundIndex(options.CacheDirectory ?? config.CacheDirectory));
        cache.AddStore(search);
        var results = new MimicDatasetResult[ids.Count];
        int done = 0;
        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, k =>
        {
            results[k] = MimicOne(ids[k], targetStore, searchRuns, criteria, nMimic, scrambleTheta, cache, klTables, outDir, options);
            progress?.Report((Interlocked.Increment(ref done), ids.Count));
        });

        // Questionable targets in the saved config, then per-dataset indexes and config copies.
        foreach (var r in results.Where(r => r.Questionable is not null)) config.AddQuestionable(r.ObsId, r.Questionable!);
        for (int i = 1; i <= nMimic; i++)
        {
            string folder = DatasetFolder(outDir, i);
            var files = Directory.EnumerateFiles(folder, "*.fits*")
                .Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal))
                .Where(f => !DataStore.HduIndexNames.Concat(DataStore.ObsIndexNames).Contains(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal).ToList();
            if (files.Count > 0) DataStoreIndex.Write(folder, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
            config.Save(Path.Combine(folder, ConfigFileName), overwrite: true);
        }
        return results;
    }

    public static string DatasetFolder(string outDir, int dataset) => Path.Combine(outDir, $"mimic_{dataset}");

    private static DataStore OpenTargetStore(GammapyToolsConfig config, string outDir)
    {
        // Targets need their background models: after Invoke-MakeBackground they are in out_dir.
        if (DataStore.HduIndexNames.Any(n => File.Exists(Path.Combine(outDir, n)))) return DataStore.Open(outDir);
        return DataStore.Open(config.RequirePath("io", "in_dir", mustExist: true));
    }

    private static MimicDatasetResult MimicOne(long id, DataStore targets, IReadOnlyList<Run> searchRuns, MimicCriteria criteria,
        int nMimic, double scrambleTheta, BackgroundModelCache cache, string? klTables, string outDir, MimicDatasetOptions options)
    {
        var warnings = new List<string>();
        try
        {
            if (!targets.Contains(id))
                throw new KeyNotFoundException($"run {id} of the run list is not in the target data store {targets.Root}");
            var target = targets.GetRun(id);
            var selection = MimicCandidateFinder.Find(target, searchRuns, criteria, cache, klTables);
            warnings.AddRange(selection.Warnings);
            if (selection.Questionable is { } reason) return new MimicDatasetResult(id, reason, [], warnings, null);

            var chosen = Choose(selection.Candidates, nMimic, options, id);
            if (selection.Candidates.Count < nMimic)
                warnings.Add($"run {id}: {selection.Candidates.Count} candidate(s) for {nMimic} datasets; some background runs are used more than once");

            var outputs = new List<MimicOutput>();
            for (int i = 1; i <= nMimic; i++)
            {
                var candidate = chosen[i - 1];
                string output = Path.Combine(DatasetFolder(outDir, i), Path.GetFileName(target.Path));
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
                    Sources = options.NoScramble ? [] : ObjectToScramble(candidate.Run, scrambleTheta, criteria, warnings),
                };
                FovConverter.Convert(candidate.Run, target, convert);
                outputs.Add(new MimicOutput(i, candidate.ObsId, candidate.KlDivergence, output, false));
            }
            return new MimicDatasetResult(id, null, outputs, warnings, null);
        }
        catch (Exception e) when (e is FitsException or IOException or InvalidOperationException or KeyNotFoundException
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
