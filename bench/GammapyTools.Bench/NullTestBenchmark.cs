using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Maps;
using GammapyTools.Simulation;
using GammapyTools.Sky;

namespace GammapyTools.Bench;

/// <summary>
/// Test-MimicDataset's core (MimicDatasetCheck.Run) on a simulated campaign of one field: the original
/// run list and five mimic datasets of 100 runs each (10,000 events a run, bkg_2d models), mapped with
/// the sky_map template's geometry (2.5°, 0.02° bins), CSV written, no plots. Baseline: reading the
/// RA, DEC, ENERGY columns of the same 600 runs.
/// </summary>
public sealed class NullTestBenchmark : IBenchmark
{
    public const int Runs = 100;
    public const int Datasets = 5;

    public string Name => "null-test";
    public string Description => $"MimicDatasetCheck.Run: original + {Datasets} mimic datasets of {Runs} simulated runs each";
    public int? DefaultRepetitions => 3;
    public int? DefaultWarmups => 1;

    public void Run(BenchContext ctx)
    {
        string root = Path.Combine(Path.GetTempPath(), "gpt-bench-nulltest-" + Guid.NewGuid().ToString("N"));
        try
        {
            string outDir = Path.Combine(root, "out");
            var field = new SimulationField("Mrk 421", new SkyCoord(166.1138, 38.2088));
            var all = new List<Run>();
            ctx.Once($"simulate {Datasets + 1} x {Runs} runs", () =>
            {
                for (int d = 0; d <= Datasets; d++)
                {
                    string dir = d == 0 ? outDir : Path.Combine(outDir, $"mimic_{d}");
                    all.AddRange(DataStoreSimulator.Create(dir, new SimulationOptions { RunCount = Runs, Seed = 100 + d, Fields = [field], EventsPerRun = 10_000 }));
                }
            });
            var config = GammapyToolsConfig.Parse($"""
                io:
                  out_dir: {outDir}
                  results_dir: {Path.Combine(root, "results")}
                """, root);
            double read = ctx.Measure($"read RA/DEC/ENERGY of the {all.Count} runs (baseline)", () =>
            {
                foreach (var r in all) _ = EventList.Read(r, ["RA", "DEC", "ENERGY"]).Count;
            });
            MimicDatasetCheckResult? result = null;
            double check = ctx.Measure("MimicDatasetCheck.Run (6 maps, CSV)", () =>
                result = MimicDatasetCheck.Run(config, new NullTestOptions { Force = true }));
            ctx.Log.WriteLine($"  rows {result!.Rows.Count}, σ at target {string.Join(", ", result.Rows.Select(r => r.SignificanceAtTarget.ToString("0.00")))}; systematic {result.Systematic:0.00}");
            ctx.Report(new BenchRow(Name, $"{Datasets + 1} x {Runs} runs", check, 0, 0, "read events", read));
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
