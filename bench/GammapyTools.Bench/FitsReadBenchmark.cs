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
            EventFileGenerator.Write(fits, Events, Seed);
            using (var input = File.OpenRead(fits))
            using (var output = File.Create(gz))
            using (var z = new GZipStream(output, CompressionLevel.Optimal))
                input.CopyTo(z);
            long size = new FileInfo(fits).Length, gzSize = new FileInfo(gz).Length;
            ctx.Log.WriteLine($"  generated {fits} ({size / 1e6:0.0} MB) and .gz ({gzSize / 1e6:0.0} MB) in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0.0} s");

            // --- uncompressed
            double raw = ctx.Measure("baseline File.ReadAllBytes(.fits)", () => GC.KeepAlive(File.ReadAllBytes(fits)));
            double ours = ctx.Measure("ours FitsFile.Open + ReadTable(EVENTS)", () => ReadAll(fits));
            ctx.Report(new BenchRow(Name, ".fits all columns", ours, size, Events, "File.ReadAllBytes", raw));

            // A second baseline: the raw bytes plus one copy into new arrays of the same total size,
            // the least any reader that returns typed columns must do.
            double rawCopy = ctx.Measure("baseline ReadAllBytes + copy into new arrays", () =>
            {
                var b = File.ReadAllBytes(fits);
                var copy = GC.AllocateUninitializedArray<byte>(b.Length);
                b.CopyTo(copy, 0);
                GC.KeepAlive(copy);
            });
            ctx.Report(new BenchRow(Name, ".fits all columns", ours, size, Events, "ReadAllBytes + copy", rawCopy));

            // --- where the time goes (uncompressed)
            double open = ctx.Measure("  part: FitsFile.Open (header scan)", () => { using var f = FitsFile.Open(fits); GC.KeepAlive(f.Hdus); });
            double oneCol = ctx.Measure("  part: Open + ReadTable(EVENTS, [TIME])", () =>
            {
                using var f = FitsFile.Open(fits);
                GC.KeepAlive(f.ReadTable("EVENTS", ["TIME"]));
            });
            ctx.Report(new BenchRow(Name, "  part: Open (headers)", open, 0, 0, "File.ReadAllBytes", raw));
            ctx.Report(new BenchRow(Name, "  part: ReadTable [TIME] only", oneCol, size, Events, "File.ReadAllBytes", raw));

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
            double oursGz = ctx.Measure("ours FitsFile.Open + ReadTable(EVENTS) .gz", () => ReadAll(gz));
            if (double.IsFinite(gzip)) ctx.Report(new BenchRow(Name, ".fits.gz all columns", oursGz, size, Events, "gzip -dc >/dev/null", gzip));
            ctx.Report(new BenchRow(Name, ".fits.gz all columns", oursGz, size, Events, "GZipStream decompress", gzStream));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void ReadAll(string path)
    {
        using var f = FitsFile.Open(path);
        var t = f.ReadTable("EVENTS");
        if (t.Table.RowCount != Events || t.Table.Columns.Count != 9) throw new InvalidOperationException("unexpected table");
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
public static class EventFileGenerator
{
    public static void Write(string path, int n, int seed)
    {
        var rng = new Random(seed);
        double raPnt = 83.633, decPnt = 22.514, tstart = 2.5e8, duration = 1800.0;
        var id = new long[n];
        var time = new double[n];
        float[] ra = new float[n], dec = new float[n], energy = new float[n], alt = new float[n], az = new float[n], xoff = new float[n], yoff = new float[n];
        double t = tstart;
        for (int i = 0; i < n; i++)
        {
            id[i] = i + 1;
            t += -Math.Log(1 - rng.NextDouble()) * duration / n;
            time[i] = t;
            // offsets within ~2.5°, uniform in a disk
            double r = 2.5 * Math.Sqrt(rng.NextDouble()), phi = 2 * Math.PI * rng.NextDouble();
            double dx = r * Math.Cos(phi), dy = r * Math.Sin(phi);
            dec[i] = (float)(decPnt + dy);
            ra[i] = (float)(raPnt + dx / Math.Cos((decPnt + dy) * Math.PI / 180));
            energy[i] = (float)(0.1 * Math.Pow(1 - rng.NextDouble(), -1 / 1.6)); // power law above 100 GeV
            double frac = (t - tstart) / duration;
            alt[i] = (float)(70 + 5 * frac + dy);
            az[i] = (float)(180 + 20 * frac + dx);
            double rot = 0.3 * frac;
            xoff[i] = (float)(dx * Math.Cos(rot) - dy * Math.Sin(rot));
            yoff[i] = (float)(dx * Math.Sin(rot) + dy * Math.Cos(rot));
        }
        var events = BinaryTableHdu.Create("EVENTS", new BinaryTable(n,
        [
            FitsColumn.Create("EVENT_ID", id),
            FitsColumn.Create("TIME", time, unit: "s"),
            FitsColumn.Create("RA", ra, unit: "deg"),
            FitsColumn.Create("DEC", dec, unit: "deg"),
            FitsColumn.Create("ENERGY", energy, unit: "TeV"),
            FitsColumn.Create("ALT", alt, unit: "deg"),
            FitsColumn.Create("AZ", az, unit: "deg"),
            FitsColumn.Create("Xoff", xoff, unit: "deg"),
            FitsColumn.Create("Yoff", yoff, unit: "deg"),
        ]));
        var h = events.Header;
        h.Set("HDUCLASS", "GADF"); h.Set("HDUCLAS1", "EVENTS");
        h.Set("OBS_ID", 64080L, "run number"); h.Set("RA_PNT", raPnt); h.Set("DEC_PNT", decPnt);
        h.Set("ALT_PNT", 72.5); h.Set("AZ_PNT", 190.0); h.Set("OBJECT", "Crab"); h.Set("RA_OBJ", 83.633); h.Set("DEC_OBJ", 22.014);
        h.Set("TSTART", tstart); h.Set("TSTOP", tstart + duration); h.Set("LIVETIME", duration * 0.9); h.Set("ONTIME", duration);
        h.Set("DEADC", 0.9); h.Set("N_TELS", 4L); h.Set("NSBLEVEL", 4.5); h.Set("MJDREFI", 51910L); h.Set("MJDREFF", 7.428703703703703e-4);
        var gti = BinaryTableHdu.Create("GTI", new BinaryTable(1,
        [
            FitsColumn.Create("START", new[] { tstart }, unit: "s"),
            FitsColumn.Create("STOP", new[] { tstart + duration }, unit: "s"),
        ]));
        FitsWriter.Write(path, [Fits.ImageHdu.EmptyPrimary(), events, gti], overwrite: true);
    }
}
