using System.Text.Json;
using GammapyTools.Dl3;
using GammapyTools.Maps;
using GammapyTools.Sky;

namespace GammapyTools.Bench;

/// <summary>
/// SkyMapMaker (New-SkyMap's core) on the real H.E.S.S. DR1 runs of PKS 2155-304 with the issue's
/// parameters (4° × 4°, 0.02° bins, E > 0.7 TeV, ring 0.6° + 0.133°, θ 0.0894°, offset_max 1.75°):
/// the 6 runs of 2008 against gammapy 1.0 making the same map in the same bench run
/// (tests/interop/ring_skymap.py, which times itself after its imports), and a 100-run dataset (the
/// 21 PKS 2155-304 runs, each listed about five times). Baseline: reading the same runs' RA, DEC,
/// ENERGY columns (EventList.Read), the I/O any map needs.
/// </summary>
public sealed class SkyMapBenchmark : IBenchmark
{
    public string Name => "sky-map";
    public string Description => "SkyMapMaker on H.E.S.S. DR1 PKS 2155-304: 6 runs vs gammapy 1.0 (same run), and 100 runs";
    public int? DefaultRepetitions => 5;
    public int? DefaultWarmups => 1;

    private static readonly SkyCoord Pks = new(329.71694, -30.22559);

    public void Run(BenchContext ctx)
    {
        string shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "data", "hess-dl3-dr1"));
        if (!Directory.Exists(shared)) shared = Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data", "hess-dl3-dr1"));
        if (!Directory.Exists(shared)) { ctx.Log.WriteLine($"  ../shared/data/hess-dl3-dr1 not found ({shared}): sky-map needs the H.E.S.S. DR1 runs"); return; }
        var store = DataStore.Open(shared);
        var all = store.ObsIds.Select(store.GetRun).Where(r => r.Object == "PKS 2155-304").OrderBy(r => r.ObsId).ToList();
        var six = all.Where(r => r.ObsId >= 47802).ToList();
        var hundred = Enumerable.Range(0, 100).Select(i => all[i % all.Count]).ToList();
        var p = new SkyMapParameters
        {
            Position = Pks, EnergyMin = 0.7, EnergyMax = 100, EnergyBins = 22, Width = 4, BinSize = 0.02,
            Theta = 0.0894, RingInnerRadius = 0.6, RingWidth = 0.133, OffsetMax = 1.75, ExclusionRadius = 0.35,
        };
        void Read(List<Run> runs) { foreach (var r in runs) _ = EventList.Read(r, ["RA", "DEC", "ENERGY"]).Count; }

        SkyMap? map = null;
        double read6 = ctx.Measure("read RA/DEC/ENERGY of the 6 runs (baseline)", () => Read(six));
        double ours6 = ctx.Measure("SkyMapMaker, 6 runs", () => map = SkyMapMaker.Make(six, p));
        ctx.Log.WriteLine($"  ours: σ at target {map!.SignificanceAtTarget:0.000}, off μ {map.OffMean:0.0000}, width {map.OffWidth:0.0000}");
        double? gammapy = Gammapy(ctx, shared, six, p);
        ctx.Report(new BenchRow(Name, "6 runs (2008)", ours6, 0, 0, "read events", read6));
        if (gammapy is double g)
        {
            ctx.Report(new BenchRow(Name, "6 runs, gammapy 1.0 maker chain", g, 0, 0, "ours", ours6));
            ctx.Log.WriteLine($"  gammapy / ours: {g / ours6:0.0}x");
        }
        double read100 = ctx.Measure("read RA/DEC/ENERGY of 100 runs (baseline)", () => Read(hundred));
        double ours100 = ctx.Measure("SkyMapMaker, 100 runs", () => map = SkyMapMaker.Make(hundred, p));
        ctx.Report(new BenchRow(Name, "100 runs", ours100, 0, 0, "read events", read100));
    }

    /// <summary>gammapy's own time (after imports) for the same map, median of three runs of the oracle script; null without gammapy.</summary>
    private static double? Gammapy(BenchContext ctx, string store, List<Run> runs, SkyMapParameters p)
    {
        string script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "tests", "interop", "ring_skymap.py"));
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script)) { ctx.Log.WriteLine("  gammapy: /usr/bin/python3 or ring_skymap.py missing, not measured"); return null; }
        string dir = Path.Combine(Path.GetTempPath(), "gpt-bench-skymap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string spec = Path.Combine(dir, "spec.json");
            File.WriteAllText(spec, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["datastore"] = store, ["obs_ids"] = runs.Select(r => r.ObsId).ToArray(), ["ra"] = p.Position!.Value.Ra, ["dec"] = p.Position.Value.Dec,
                ["e_min"] = p.EnergyMin, ["e_max"] = p.EnergyMax, ["n_bins"] = p.EffectiveEnergyBins, ["width"] = p.Width, ["binsz"] = p.BinSize,
                ["theta"] = p.Theta, ["r_in"] = p.RingInnerRadius, ["ring_width"] = p.RingWidth, ["offset_max"] = p.OffsetMax,
                ["exclusion_radius"] = p.ExclusionRadius, ["regions"] = Array.Empty<double[]>(),
            }));
            var seconds = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add(script); psi.ArgumentList.Add(spec); psi.ArgumentList.Add(dir);
                using var proc = System.Diagnostics.Process.Start(psi)!;
                string output = proc.StandardOutput.ReadToEnd();
                proc.StandardError.ReadToEnd();
                proc.WaitForExit();
                if (proc.ExitCode != 0) { ctx.Log.WriteLine("  gammapy failed: " + output); return null; }
                using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
                seconds.Add(json.RootElement.GetProperty("seconds").GetDouble());
                if (i == 0)
                    ctx.Log.WriteLine($"  gammapy: σ at target {json.RootElement.GetProperty("sigma_target").GetDouble():0.000}, off μ {json.RootElement.GetProperty("off_mean").GetDouble():0.0000}, width {json.RootElement.GetProperty("off_std").GetDouble():0.0000}");
            }
            seconds.Sort();
            ctx.Log.WriteLine($"  gammapy 1.0 maker chain (after imports), 6 runs: median {seconds[1] * 1e3:0.0} ms (min {seconds[0] * 1e3:0.0}, max {seconds[2] * 1e3:0.0}, n=3)");
            return seconds[1];
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
