using GammapyTools.Dl3;
using GammapyTools.Simulation;

namespace GammapyTools.Bench;

/// <summary>
/// A simulated search store (DataStoreSimulator, seeded, few events per run) with a separate,
/// indexed target store made of copies of some of its runs (4-telescope runs, with their
/// background models) — the inputs of the mimic-dataset and make-background benchmarks.
/// </summary>
public sealed class CampaignStore
{
    public required string Root { get; init; }
    public required string SearchDir { get; init; }
    public required string TargetDir { get; init; }
    public required IReadOnlyList<Run> SearchRuns { get; init; }
    public required IReadOnlyList<Run> Targets { get; init; }

    public static CampaignStore Create(BenchContext ctx, string root, int runs, double eventsPerRun, int targets, long seed)
    {
        string search = Path.Combine(root, "search"), targetDir = Path.Combine(root, "targets");
        IReadOnlyList<Run> searchRuns = [];
        ctx.Once($"generate search store ({runs:N0} runs x ~{eventsPerRun:N0} ev)", () =>
            searchRuns = DataStoreSimulator.Create(search, new SimulationOptions { RunCount = runs, Seed = seed, EventsPerRun = eventsPerRun, Seasons = 4 }));
        List<Run> chosen = [];
        ctx.Once($"copy + index {targets} target runs", () =>
        {
            Directory.CreateDirectory(targetDir);
            // Spread over the store (every k-th 4-telescope run with a background model) rather than the first few nights.
            var pool = searchRuns.Where(r => r.NTels == 4 && r.BackgroundClass is not null).ToList();
            if (pool.Count < targets) throw new InvalidOperationException($"only {pool.Count} 4-telescope runs with a background model");
            chosen = Enumerable.Range(0, targets).Select(i => pool[(int)((long)i * pool.Count / targets)]).ToList();
            var files = new List<string>();
            foreach (var t in chosen)
            {
                string to = Path.Combine(targetDir, Path.GetFileName(t.Path));
                File.Copy(t.Path, to, overwrite: true);
                files.Add(to);
            }
            DataStoreIndex.Write(targetDir, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
        });
        long bytes = Directory.EnumerateFiles(search).Sum(f => new FileInfo(f).Length);
        ctx.Log.WriteLine($"  search store {search}: {searchRuns.Count:N0} runs, {bytes / 1e6:0.0} MB; {chosen.Count} targets in {targetDir}");
        return new CampaignStore { Root = root, SearchDir = search, TargetDir = targetDir, SearchRuns = searchRuns, Targets = chosen };
    }

    public static string NewRoot(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpt-bench", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Delete(string root)
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
