using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Mimic;

namespace GammapyTools.Bench;

/// <summary>
/// The stages of a candidate search over an existing search store (GPT_BENCH_STORE, a folder made by
/// New-SimulatedDataStore; default: a 2,000-run store generated here), in-process: opening the store,
/// listing its runs, the background index (build, then reuse by a fresh index object as a new
/// process would; after touching every file of a generated store: hashed, not decoded), listing the
/// runs through the index (a store without obs-index rows opens no events file), and MimicCandidateFinder.Find from the index against the cold path (every model
/// read from its file, what a fresh process did before the index).
/// </summary>
public sealed class BackgroundIndexBenchmark : IBenchmark
{
    public string Name => "bkg-index";
    public string Description => "candidate search stages over a search store: open, list, background index build/reuse, Find (GPT_BENCH_STORE=<folder> to use an existing store)";
    public int? DefaultRepetitions => 5;
    public int? DefaultWarmups => 1;

    public void Run(BenchContext ctx)
    {
        string? given = Environment.GetEnvironmentVariable("GPT_BENCH_STORE");
        string root = CampaignStore.NewRoot("bkg-index");
        try
        {
            string storeDir = given ?? Path.Combine(root, "search");
            if (given is null)
                ctx.Once("generate 2,000-run store", () => Simulation.DataStoreSimulator.Create(storeDir,
                    new Simulation.SimulationOptions { RunCount = 2000, Seed = 3, EventsPerRun = 300 }));
            // GPT_BENCH_CACHE: an index folder already built for GPT_BENCH_STORE (skips the slow build and cold stages).
            string? givenCache = Environment.GetEnvironmentVariable("GPT_BENCH_CACHE");
            string cache = givenCache ?? Path.Combine(root, "cache");
            DataStore store = DataStore.Open(storeDir);
            List<Run> runs = [];
            double open = ctx.Measure("DataStore.Open", () => store = DataStore.Open(storeDir));
            double list = ctx.Measure("GetRun for every run", () => runs = store.ObsIds.Select(store.GetRun).ToList());
            string label = $"{runs.Count:N0} runs";
            var target = runs.First(r => r.NTels == 4 && r.BackgroundClass is not null);

            double build = givenCache is not null ? double.NaN
                : ctx.Measure("index build (rebuild, all cores)", () => new BackgroundIndex(cache).Update(store, rebuild: true), repetitions: 1);
            double read = ctx.Measure("index file read + checksum + parse", () => BackgroundIndex.TryRead(new BackgroundIndex(cache).PathFor(store.Root), store.Root));
            double open1 = ctx.Measure("index file open + checksum, models not decoded", () => BackgroundIndex.TryOpen(new BackgroundIndex(cache).PathFor(store.Root), store.Root));
            double reuse = ctx.Measure("index reuse (fresh object: read + check every file)", () => new BackgroundIndex(cache).Update(store));
            double listed = ctx.Measure("list runs through the index (fresh cache)", () => new BackgroundModelCache(new BackgroundIndex(cache)).Runs(store));
            // Touching every file (a copy or restore): Update hashes each background HDU again, decodes none.
            // Only on the store generated here: a given store's files are inputs, never touched.
            int touches = 0;
            double rehash = given is not null ? double.NaN : ctx.Measure("index update after touching every file (rehash)", () =>
            {
                var when = DateTime.UtcNow.AddSeconds(++touches);
                foreach (var r in runs) File.SetLastWriteTimeUtc(r.Path, when);
                var (_, s) = new BackgroundIndex(cache).Update(store);
                if (s.Rehashed != s.Runs) throw new InvalidOperationException($"{s.Rehashed} of {s.Runs} rehashed");
            });
            double find = ctx.Measure("Find from the index (fresh cache)", () =>
                MimicCandidateFinder.Find(target, runs, new MimicCriteria(), new BackgroundModelCache(new BackgroundIndex(cache))));
            double cold = givenCache is not null ? double.NaN : ctx.Measure("all models from their files (no index; before)", () =>
                new BackgroundModelCache().Load(runs.Where(r => r.BackgroundClass is not null).ToList()), repetitions: 1);
            double size = new FileInfo(new BackgroundIndex(cache).PathFor(store.Root)).Length;
            ctx.Report(new BenchRow(Name, $"open store, {label}", open, 0, runs.Count, "-", 0));
            ctx.Report(new BenchRow(Name, $"list runs, {label}", list, 0, runs.Count, "-", 0));
            ctx.Report(new BenchRow(Name, $"index build, {label}", build, size, runs.Count, "models from files", cold));
            ctx.Report(new BenchRow(Name, $"index reuse, {label}", reuse, size, runs.Count, "models from files", cold));
            ctx.Report(new BenchRow(Name, $"index update, every file touched, {label}", rehash, size, runs.Count, "models from files", cold));
            ctx.Report(new BenchRow(Name, $"list runs through the index, {label}", listed, 0, runs.Count, "GetRun", list));
            ctx.Report(new BenchRow(Name, $"  part: index file read+parse, {label}", read, size, runs.Count, "models from files", cold));
            ctx.Report(new BenchRow(Name, $"  part: index file open, models on demand, {label}", open1, size, runs.Count, "models from files", cold));
            ctx.Report(new BenchRow(Name, $"Find 1 target from index, {label}", find, 0, runs.Count, "models from files", cold));
        }
        finally { CampaignStore.Delete(root); }   // a given store and cache are left alone
    }
}
