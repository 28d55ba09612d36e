using GammapyTools.Simulation;

namespace GammapyTools.Bench;

/// <summary>
/// DataStoreSimulator: event generation alone (all cores, no I/O) and a whole store written as
/// gzip FITS with its index files, against writing the same number of bytes uncompressed.
/// </summary>
public sealed class SimulateBenchmark : IBenchmark
{
    public const int Runs = 8;
    public const double EventsPerRun = 250_000;

    public string Name => "simulate";
    public string Description => $"DataStoreSimulator, {Runs} runs x ~{EventsPerRun:N0} events, all cores";

    public void Run(BenchContext ctx)
    {
        var options = new SimulationOptions { RunCount = Runs, Seed = 1, EventsPerRun = EventsPerRun, Overwrite = true };
        var plans = DataStoreSimulator.PlanRuns(options);
        long events = 0;
        foreach (var p in plans) { DataStoreSimulator.BuildRun(p, options, out int n); events += n; }
        double generate = ctx.Measure("generate events (BuildRun, Parallel.ForEach)", () =>
            Parallel.ForEach(plans, p => DataStoreSimulator.BuildRun(p, options, out _)));
        string dir = Path.Combine(Path.GetTempPath(), "gpt-bench-simulate-" + Environment.ProcessId);
        try
        {
            double store = ctx.Measure("Create: generate + write .fits.gz + index", () => DataStoreSimulator.Create(dir, options));
            options.Compress = false;
            double plain = ctx.Measure("Create: generate + write .fits + index", () => DataStoreSimulator.Create(dir, options));
            ctx.Report(new BenchRow(Name, "generate only", generate, events * 36.0, events, "-", double.NaN));
            ctx.Report(new BenchRow(Name, "store .fits.gz", store, events * 36.0, events, "store .fits", plain));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
