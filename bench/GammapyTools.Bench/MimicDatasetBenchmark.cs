using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Mimic;

namespace GammapyTools.Bench;

/// <summary>
/// Invoke-MimicDataset's core (MimicDatasetBuilder.Run) on a simulated campaign: a 2,000-run search
/// store and 50 target runs, n_mimic = 5, with the stages timed separately (open + list the search
/// store, background-model loading + KL of one target against all 2,000, candidate selection of all
/// targets, the whole run). Baseline for the conversion: File.Copy of the target files n_mimic times.
/// </summary>
public sealed class MimicDatasetBenchmark : IBenchmark
{
    public const int SearchRuns = 2_000;
    public const int Targets = 50;
    public const int NMimic = 5;
    public const double EventsPerRun = 300;
    public const long Seed = 20261126;

    public string Name => "mimic-dataset";
    public string Description => $"MimicDatasetBuilder.Run: {Targets} targets x n_mimic {NMimic} from a {SearchRuns:N0}-run simulated search store";
    public int? DefaultRepetitions => 3;
    public int? DefaultWarmups => 0;

    public void Run(BenchContext ctx)
    {
        string root = CampaignStore.NewRoot("mimic");
        try
        {
            var store = CampaignStore.Create(ctx, root, SearchRuns, EventsPerRun, Targets, Seed);
            int outCount = 0;
            GammapyToolsConfig NewConfig() => GammapyToolsConfig.Parse($"""
                io:
                  search_datastore: search
                  in_dir: targets
                  out_dir: out-{Interlocked.Increment(ref outCount)}
                background_selection:
                  nsb_diff: 3
                  el_diff: 0.5
                  az_diff: 90
                  time_max: 400
                  n_tels: 4
                  n_mimic: {NMimic}
                  store_KL: false
                run_selection:
                  runlist: [{string.Join(", ", store.Targets.Select(t => t.ObsId))}]
                """, root);

            // (a) open the search store and list its runs (what Run does first).
            List<Run> searchRuns = [];
            double open = ctx.Measure("(a) DataStore.Open + GetRun x 2,000", () =>
            {
                var search = DataStore.Open(store.SearchDir);
                searchRuns = search.ObsIds.Select(search.GetRun).ToList();
            });

            // (b) background models of the whole store into a fresh cache, then KL of one target against all of them.
            BackgroundModelCache cache = new();
            double load = ctx.Measure("(b1) BackgroundModelCache.Load (2,000 models)", () =>
            {
                cache = new BackgroundModelCache();
                var loaded = cache.Load(searchRuns);
                if (loaded.Any(l => l.Error is not null)) throw new InvalidOperationException(loaded.First(l => l.Error is not null).Error!.Message);
            });
            var models = searchRuns.Select(cache.Get).ToList();
            var reference = cache.Get(store.Targets[0]);
            double kl = ctx.Measure("(b2) KlDivergence.ComputeMany (1 vs 2,000)", () =>
            {
                var v = KlDivergence.ComputeMany(reference, models, out _);
                GC.KeepAlive(v);
            }, repetitions: 21);
            ctx.Log.WriteLine($"  KL of one target against {models.Count:N0} cached models: {kl * 1e3:0.00} ms (target < 50 ms: {(kl < 0.050 ? "met" : "MISSED")}); {models[0].Values.Length} bins per model");

            // (c) candidate selection of every target (condition cuts + KL ranking), warm cache, parallel like Run.
            var config0 = NewConfig();
            var criteria = MimicCriteriaConfig.FromConfig(config0.GetBackgroundSelection());
            var targetStore = DataStore.Open(store.TargetDir);
            var targets = store.Targets.Select(t => targetStore.GetRun(t.ObsId)).ToList();
            var selections = new CandidateSelection[targets.Count];
            double select = ctx.Measure("(c) MimicCandidateFinder.Find x 50 (warm cache)", () =>
                Parallel.For(0, targets.Count, k => selections[k] = MimicCandidateFinder.Find(targets[k], searchRuns, criteria, cache)));
            int withCandidates = selections.Count(s => s.Questionable is null);
            ctx.Log.WriteLine($"  {withCandidates}/{targets.Count} targets with candidates; candidates per target: median {Median(selections.Select(s => (double)s.Candidates.Count))}; " +
                              $"condition-matched runs per target (KL computed): median {Median(selections.Select(s => (double)(s.Steps.FirstOrDefault(x => x.Criterion == "has a background model")?.Remaining ?? 0)))}");
            double selectCold = ctx.Measure("(c') Find x 50, cold cache (models read as needed)", () =>
            {
                var cold = new BackgroundModelCache();
                Parallel.For(0, targets.Count, k => GC.KeepAlive(MimicCandidateFinder.Find(targets[k], searchRuns, criteria, cold)));
            });

            // (d1) the conversions alone: the first n_mimic ranked candidates of each target, converted into its field of
            // view with its background model (no scrambling; the builder also scrambles the background run's object).
            string convDir = Path.Combine(root, "convert-only");
            double convert = ctx.Measure($"(d1) FovConverter.Convert x {Targets * NMimic} (no scramble)", () =>
                Parallel.For(0, targets.Count, k =>
                {
                    var cands = selections[k].Candidates;
                    for (int i = 1; i <= NMimic && cands.Count > 0; i++)
                        FovConverter.Convert(cands[(i - 1) % cands.Count].Run, targets[k], new ConvertOptions
                        {
                            OutputPath = Path.Combine(convDir, $"mimic_{i}", Path.GetFileName(targets[k].Path)),
                            CopyBackground = true, Force = true, Seed = i,
                        });
                }));
            double index = ctx.Measure($"(d2) DataStoreIndex.Scan + Write x {NMimic} stores", () =>
            {
                for (int i = 1; i <= NMimic; i++)
                {
                    string folder = MimicDatasetBuilder.DatasetFolder(convDir, i);
                    var files = Directory.EnumerateFiles(folder, "run_*.fits*").Order(StringComparer.Ordinal).ToList();
                    DataStoreIndex.Write(folder, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
                }
            });

            // (d) the whole campaign: open stores, select, convert n_mimic x targets, index n_mimic stores.
            IReadOnlyList<MimicDatasetResult> results = [];
            string lastOut = "";
            double whole = ctx.Measure("(d) MimicDatasetBuilder.Run (whole)", () =>
            {
                var config = NewConfig();
                lastOut = config.RequirePath("io", "out_dir");
                results = MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 42 });
            });
            var failed = results.Where(r => !r.Succeeded).ToList();
            if (failed.Count > 0) throw new InvalidOperationException($"{failed.Count} targets failed: {failed[0].Error}");
            var outputs = results.SelectMany(r => r.Outputs).Where(o => !o.Skipped).ToList();
            long outBytes = outputs.Sum(o => new FileInfo(o.Path).Length);
            long outEvents = outputs.Count * (long)EventsPerRun;
            ctx.Log.WriteLine($"  {results.Count} targets, {results.Count(r => r.Questionable is not null)} questionable, {outputs.Count} outputs, {outBytes / 1e6:0.0} MB in {lastOut}; " +
                              $"whole run {whole:0.00} s (target < 60 s: {(whole < 60 ? "met" : "MISSED")})");

            // Baseline: copying the target files n_mimic times (the bytes the conversion has to produce, without any work on them).
            string copyDir = Path.Combine(root, "copy");
            double copy = ctx.Measure($"baseline File.Copy targets x {NMimic}", () =>
            {
                for (int i = 1; i <= NMimic; i++)
                {
                    string d = Path.Combine(copyDir, $"mimic_{i}");
                    Directory.CreateDirectory(d);
                    foreach (var t in targets) File.Copy(t.Path, Path.Combine(d, Path.GetFileName(t.Path)), overwrite: true);
                }
            });
            long copyBytes = targets.Sum(t => new FileInfo(t.Path).Length) * NMimic;
            ctx.Log.WriteLine($"  baseline copies {copyBytes / 1e6:0.0} MB ({targets.Count * NMimic} files); outputs {outBytes / 1e6:0.0} MB");

            ctx.Report(new BenchRow(Name, "(a) open store + GetRun x2000", open, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(b1) load 2000 bkg models", load, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(b2) KL 1 vs 2000 (cached)", kl, 0, 0, "target 50 ms", 0.050));
            ctx.Report(new BenchRow(Name, "(c) Find x50, warm cache", select, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(c') Find x50, cold cache", selectCold, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(d1) convert x250 (no scramble)", convert, outBytes, outEvents, $"File.Copy x{NMimic}", copy));
            ctx.Report(new BenchRow(Name, "(d2) index 5 stores", index, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(d) whole Run (50 x 5)", whole, outBytes, outEvents, $"File.Copy x{NMimic}", copy));
            ctx.Report(new BenchRow(Name, "(d) whole Run vs target", whole, 0, 0, "target 60 s", 60));
        }
        finally
        {
            CampaignStore.Delete(root);
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}
