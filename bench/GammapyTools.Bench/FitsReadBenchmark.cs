using GammapyTools.Simulation;
using System.Diagnostics;
using System.IO.Compression;
using GammapyTools.Fits;

namespace GammapyTools.Bench;

/// <summary>
/// Reading a VERITAS-like EVENTS table (1.3 million events, 9 columns) with our FITS layer,
/// against reading the file's raw bytes (uncompressed) and against gzip/GZipStream decompression (.fits.gz).
/// </summary>
public sealed class FitsReadBenchmark : IBenchmark
{
    public const int Events = 1_300_000;
    public const int Seed = 20261126;

    public string Name => "fits-read";
    public string Description => $"read all EVENTS columns of a {Events:N0}-event VERITAS-like file (.fits and .fits.gz)";

    public void Run(BenchContext ctx)
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpt-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string fits = Path.Combine(dir, "events.fits"), gz = fits + ".gz";
            long t0 = Stopwatch.GetTimestamp();
            int events = EventFileGenerator.Write(fits, Events, Seed);
            using (var input = File.OpenRead(fits))
            using (var output = File.Create(gz))
            using (var z = new GZipStream(output, CompressionLevel.Optimal))
                input.CopyTo(z);
            long size = new FileInfo(fits).Length, gzSize = new FileInfo(gz).Length;
            ctx.Log.WriteLine($"  generated {fits} ({size / 1e6:0.0} MB) and .gz ({gzSize / 1e6:0.0} MB) in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0.0} s");

            // --- uncompressed
            double raw = ctx.Measure("baseline File.ReadAllBytes(.fits)", () => GC.KeepAlive(File.ReadAllBytes(fits)));
            double ours = ctx.Measure("ours FitsFile.Open + ReadTable(EVENTS)", () => ReadAll(fits, events));
            ctx.Report(new BenchRow(Name, ".fits all columns", ours, size, events, "File.ReadAllBytes", raw));

            // A second baseline: the raw bytes plus one copy into new arrays of the same total size,
            // the least any reader that returns typed columns must do.
            double rawCopy = ctx.Measure("baseline ReadAllBytes + copy into new arrays", () =>
            {
                var b = File.ReadAllBytes(fits);
                var copy = GC.AllocateUninitializedArray<byte>(b.Length);
                b.CopyTo(copy, 0);
                GC.KeepAlive(copy);
            });
            ctx.Report(new BenchRow(Name, ".fits all columns", ours, size, events, "ReadAllBytes + copy", rawCopy));

            // --- where the time goes (uncompressed)
            double open = ctx.Measure("  part: FitsFile.Open (header scan)", () => { using var f = FitsFile.Open(fits); GC.KeepAlive(f.Hdus); });
            double oneCol = ctx.Measure("  part: Open + ReadTable(EVENTS, [TIME])", () =>
            {
                using var f = FitsFile.Open(fits);
                GC.KeepAlive(f.ReadTable("EVENTS", ["TIME"]));
            });
            ctx.Report(new BenchRow(Name, "  part: Open (headers)", open, 0, 0, "File.ReadAllBytes", raw));
            ctx.Report(new BenchRow(Name, "  part: ReadTable [TIME] only", oneCol, size, events, "File.ReadAllBytes", raw));

            // --- gzip
            double gzip = File.Exists("/usr/bin/gzip") || File.Exists("/bin/gzip")
                ? ctx.Measure("baseline gzip -dc > /dev/null", () => GzipCli(gz))
                : double.NaN;
            double gzStream = ctx.Measure("baseline GZipStream -> Stream.Null", () =>
            {
                using var s = File.OpenRead(gz);
                using var z = new GZipStream(s, CompressionMode.Decompress);
                z.CopyTo(Stream.Null, 1 << 20);
            });
            double oursGz = ctx.Measure("ours FitsFile.Open + ReadTable(EVENTS) .gz", () => ReadAll(gz, events));
            if (double.IsFinite(gzip)) ctx.Report(new BenchRow(Name, ".fits.gz all columns", oursGz, size, events, "gzip -dc >/dev/null", gzip));
            ctx.Report(new BenchRow(Name, ".fits.gz all columns", oursGz, size, events, "GZipStream decompress", gzStream));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void ReadAll(string path, int events)
    {
        using var f = FitsFile.Open(path);
        var t = f.ReadTable("EVENTS");
        if (t.Table.RowCount != events || t.Table.Columns.Count != 9) throw new InvalidOperationException("unexpected table");
        GC.KeepAlive(f.ReadTable("GTI"));
    }

    private static void GzipCli(string path)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("gzip -dc \"$1\" > /dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"gzip -dc exited with {p.ExitCode}");
    }
}

/// <summary>Writes a deterministic VERITAS-like DL3 file: EVENTS (EVENT_ID K, TIME D, RA..Yoff E) and GTI.</summary>
/// <summary>
/// The benchmark's event file: one run of the product's own simulator (VERITAS-like EVENTS with
/// camera coordinates, GTI, IRFs, background), about <c>n</c> events, written uncompressed.
/// </summary>
public static class EventFileGenerator
{
    /// <summary>Writes the file; returns its number of events (Poisson around <paramref name="n"/>).</summary>
    public static int Write(string path, int n, int seed)
    {
        var options = new SimulationOptions { RunCount = 1, Seed = seed, Compress = false };
        var plan = DataStoreSimulator.PlanRuns(options)[0];
        // EventsPerRun is per 1620 s of livetime: scale it so this run expects n events.
        options.EventsPerRun = n * 1620.0 / plan.Livetime;
        var hdus = DataStoreSimulator.BuildRun(plan, options, out int count);
        FitsWriter.Write(path, hdus, overwrite: true);
        return count;
    }
}
