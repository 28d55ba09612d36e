using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;

namespace GammapyTools.Bench;

/// <summary>
/// Invoke-MakeBackground's core (BackgroundMaker.Run, from matched runs) for 100 target runs over a
/// simulated 2,000-run search store, time_request 5 h, with stages timed separately (open + list,
/// matched-run selection, model building from the matched runs' events, the whole run). Baseline:
/// reading RA/DEC/ENERGY of the same matched runs with our FITS layer (FitsFile.ReadTable).
/// </summary>
public sealed class MakeBackgroundBenchmark : IBenchmark
{
    public const int SearchRuns = 2_000;
    public const int Targets = 100;
    public const double EventsPerRun = 300;
    public const double TimeRequestHours = 5;
    public const long Seed = 20261127;

    public string Name => "make-background";
    public string Description => $"BackgroundMaker.Run: {Targets} targets, matched runs of a {SearchRuns:N0}-run simulated store, {TimeRequestHours} h each";
    public int? DefaultRepetitions => 3;
    public int? DefaultWarmups => 0;

    public void Run(BenchContext ctx)
    {
        string root = CampaignStore.NewRoot("mkbkg");
        try
        {
            var store = CampaignStore.Create(ctx, root, SearchRuns, EventsPerRun, Targets, Seed);
            int outCount = 0;
            GammapyToolsConfig NewConfig() => GammapyToolsConfig.Parse($"""
                io:
                  search_datastore: search
                  in_dir: targets
                  out_dir: out-{Interlocked.Increment(ref outCount)}
                  from_run: false
                binning:
                  e_min: 0.1
                  e_max: 100
                  e_bins: 20
                  off_min: 0.0
                  off_max: 2.5
                  off_bins: 5
                background_selection:
                  nsb_diff: 3
                  el_diff: 0.5
                  az_diff: 90
                  time_max: 400
                  n_tels: 4
                  time_request: {TimeRequestHours}
                  smooth: false
                  KL_DIV: true
                  store_KL: false
                """, root);
            var noCatalogs = new MakeBackgroundOptions { CatalogPaths = [] };

            // (a) open the search store and list its runs.
            List<Run> searchRuns = [];
            double open = ctx.Measure("(a) DataStore.Open + GetRun x 2,000", () =>
            {
                var search = DataStore.Open(store.SearchDir);
                searchRuns = search.ObsIds.Select(search.GetRun).ToList();
            });

            // (b) matched runs of every target (BackgroundMaker.MatchedRuns: condition cuts, KL ranking
            // against the target's own model with a fresh cache, taken until time_request), parallel over targets.
            var config0 = NewConfig();
            var selection = config0.GetBackgroundSelection();
            var criteria = MimicCriteriaConfig.FromConfig(selection);
            var targetStore = DataStore.Open(store.TargetDir);
            var targets = targetStore.ObsIds.Select(targetStore.GetRun).ToList();
            var chosen = new IReadOnlyList<Run>[targets.Count];
            double select = ctx.Measure("(b) matched runs x 100 (cuts + KL, cold cache)", () =>
            {
                var cache = new BackgroundModelCache();
                Parallel.For(0, targets.Count, k => chosen[k] = BackgroundMaker.MatchedRuns(targets[k], searchRuns, criteria, selection, cache, null, []));
            });
            ctx.Log.WriteLine($"  matched runs per target: median {MimicDatasetBenchmark.Median(chosen.Select(c => (double)c.Count))}, " +
                              $"total {chosen.Sum(c => c.Count)} run reads, {chosen.SelectMany(c => c).Select(r => r.ObsId).Distinct().Count()} distinct runs");

            // (c) the models from those runs' events (EventList.Read + estimator), no exclusions, no write.
            var modelOptions = new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 20, 0, 2.5, 5) };
            var models = new BackgroundModelResult[targets.Count];
            double build = ctx.Measure("(c) BackgroundModelBuilder.Build x 100", () =>
                Parallel.For(0, targets.Count, k => models[k] = BackgroundModelBuilder.Build(targets[k], chosen[k], modelOptions)));

            // (c2) writing each target with its model attached (read the target's HDUs, write .fits.gz), then (c3) indexing out_dir.
            string attachDir = Path.Combine(root, "attach-only");
            var written = new Run[targets.Count];
            double attach = ctx.Measure("(c2) BackgroundModelBuilder.Attach x 100 (write)", () =>
                Parallel.For(0, targets.Count, k => written[k] = BackgroundModelBuilder.Attach(targets[k], models[k].ToHdu(),
                    Path.Combine(attachDir, Path.GetFileName(targets[k].Path)), overwrite: true)));
            double index = ctx.Measure("(c3) DataStoreIndex.Scan + Write (100 runs)", () =>
                DataStoreIndex.Write(attachDir, written.Select(r => DataStoreIndex.Scan(r.Path)).ToList(), overwrite: true));

            // (d) the whole campaign: open, select, build, attach (write) and index out_dir.
            IReadOnlyList<MakeBackgroundResult> results = [];
            string lastOut = "";
            double whole = ctx.Measure("(d) BackgroundMaker.Run (whole)", () =>
            {
                var config = NewConfig();
                lastOut = config.RequirePath("io", "out_dir");
                results = BackgroundMaker.Run(config, noCatalogs);
            });
            var failed = results.Where(r => !r.Succeeded).ToList();
            if (failed.Count > 0) throw new InvalidOperationException($"{failed.Count} targets failed: {failed[0].Error}");
            long reads = results.Sum(r => r.BackgroundRuns.Count);
            int shortfalls = results.Count(r => r.Warnings.Any(w => w.Contains("requested", StringComparison.Ordinal)));
            ctx.Log.WriteLine($"  {results.Count} models in {lastOut}; {reads} matched-run reads, median {MimicDatasetBenchmark.Median(results.Select(r => r.Hours)):0.00} h per target, " +
                              $"{shortfalls} shortfalls; whole run {whole:0.00} s (target < 60 s: {(whole < 60 ? "met" : "MISSED")})");

            // Baseline: the matched runs' events read with our FITS layer (the same runs, as often as the maker reads them).
            var byId = searchRuns.ToDictionary(r => r.ObsId);
            var perTarget = results.Select(r => r.BackgroundRuns.Select(id => byId[id]).ToList()).ToList();
            long bytes = perTarget.SelectMany(x => x).Sum(r => new FileInfo(r.Path).Length);
            long events = 0;
            double baseline = ctx.Measure("baseline FitsFile.ReadTable(RA,DEC,ENERGY) x matched", () =>
            {
                long n = 0;
                Parallel.For(0, perTarget.Count, k =>
                {
                    foreach (var run in perTarget[k])
                    {
                        using var f = FitsFile.Open(run.Path);
                        var t = f.ReadTable("EVENTS", ["RA", "DEC", "ENERGY"]);
                        Interlocked.Add(ref n, t.Table.RowCount);
                    }
                });
                events = n;
            });
            ctx.Log.WriteLine($"  baseline reads {reads} files, {bytes / 1e6:0.0} MB (.fits.gz), {events:N0} events");

            ctx.Report(new BenchRow(Name, "(a) open store + GetRun x2000", open, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(b) matched runs x100 (cuts+KL)", select, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(c) Build x100 (read+estimate)", build, bytes, events, "ReadTable matched", baseline));
            ctx.Report(new BenchRow(Name, "(c2) Attach x100 (write .gz)", attach, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(c3) index out_dir", index, 0, 0, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "(d) whole Run (100 targets)", whole, bytes, events, "ReadTable matched", baseline));
            ctx.Report(new BenchRow(Name, "(d) whole Run vs target", whole, 0, 0, "target 60 s", 60));
        }
        finally
        {
            CampaignStore.Delete(root);
        }
    }
}
