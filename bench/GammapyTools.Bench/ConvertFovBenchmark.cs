using System.Diagnostics;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;

namespace GammapyTools.Bench;

/// <summary>
/// FovConverter.Convert (Convert-Fov's core) on a 1.3-million-event VERITAS-like file against a
/// plain read + write of the same file by our FITS layer (FitsFile.ReadAll + FitsWriter.Write).
/// </summary>
public sealed class ConvertFovBenchmark : IBenchmark
{
    public const int Events = 1_300_000;

    public string Name => "convert-fov";
    public string Description => $"Convert-Fov (re-point, headers, atomic write) on a {Events:N0}-event file vs FITS read+write";

    public void Run(BenchContext ctx)
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpt-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "run_064080.fits");
            long t0 = Stopwatch.GetTimestamp();
            int events = EventFileGenerator.Write(input, Events, FitsReadBenchmark.Seed);
            long size = new FileInfo(input).Length;
            ctx.Log.WriteLine($"  generated {input} ({size / 1e6:0.0} MB) in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0.0} s");
            // The converter reads the target's pointing from its own EVENTS header: a small target file of another run.
            string targetFile = Path.Combine(dir, "target", "run_070000.fits");
            Directory.CreateDirectory(Path.GetDirectoryName(targetFile)!);
            EventFileGenerator.Write(targetFile, 1_000, FitsReadBenchmark.Seed + 1);
            var target = Dl3.Run.FromFile(targetFile);
            string copy = Path.Combine(dir, "copy.fits"), outPath = Path.Combine(dir, "out", "run_070000.fits");

            // A command-line Convert-Fov converts a few runs per process: the first call, before any
            // warm-up, shows what the JIT's first code costs (it used to be 3x slower to re-point).
            double cold = ctx.Once("ours FovConverter.Convert, first call in the process", () =>
                FovConverter.Convert(Dl3.Run.FromFile(input), target, new ConvertOptions { OutputPath = outPath, Force = true }));
            double baseline = ctx.Measure("baseline FitsFile.ReadAll + FitsWriter.Write", () =>
            {
                IReadOnlyList<Hdu> hdus;
                using (var f = FitsFile.Open(input)) hdus = f.ReadAll();
                FitsWriter.Write(copy, hdus, overwrite: true);
            });
            double ours = ctx.Measure("ours FovConverter.Convert", () =>
                FovConverter.Convert(Dl3.Run.FromFile(input), target, new ConvertOptions { OutputPath = outPath, Force = true }));
            ctx.Report(new BenchRow(Name, "re-point, .fits", ours, size, events, "FITS read+write", baseline));
            ctx.Report(new BenchRow(Name, "re-point, .fits, first call", cold, size, events, "FITS read+write", baseline));
            double fileCopy = ctx.Measure("baseline File.Copy of the same bytes", () => File.Copy(input, copy, overwrite: true));
            ctx.Report(new BenchRow(Name, "re-point, .fits", ours, size, events, "File.Copy", fileCopy));
            // FitsWriter flushes to disk before its rename (a crash never leaves a renamed, empty file); the same for a copy:
            double copySync = ctx.Measure("baseline copy + flush to disk", () =>
            {
                using (var from = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
                using (var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    from.CopyTo(to, 1 << 20);
                    to.Flush(flushToDisk: true);
                }
            });
            ctx.Report(new BenchRow(Name, "re-point, .fits", ours, size, events, "copy + fsync", copySync));

            // Where the time of a plain conversion goes (issue 11: profile and fix what dominates).
            IReadOnlyList<Hdu> parts = [];
            double read = ctx.Measure("  part: FitsFile.ReadAll", () => { using var f = FitsFile.Open(input); parts = f.ReadAll(); });
            var table = ((BinaryTableHdu)parts.First(h => h is BinaryTableHdu)).Table;
            double repoint = ctx.Measure("  part: Repoint", () => FovConverter.Repoint(table, new SkyCoord(83.6, 22.0), new SkyCoord(84.6, 22.5)));
            double write = ctx.Measure("  part: FitsWriter.Write", () => FitsWriter.Write(copy, parts, overwrite: true));
            double encode = ctx.Measure("  part: encode + checksums (WriteTo Stream.Null)", () => FitsWriter.WriteTo(Stream.Null, parts));
            ctx.Report(new BenchRow(Name, "  part: encode + checksums", encode, size, events, "File.Copy", fileCopy));
            ctx.Report(new BenchRow(Name, "  part: read", read, size, events, "File.Copy", fileCopy));
            ctx.Report(new BenchRow(Name, "  part: repoint", repoint, size, events, "File.Copy", fileCopy));
            ctx.Report(new BenchRow(Name, "  part: write", write, size, events, "File.Copy", fileCopy));

            var source = Dl3.Run.FromFile(input).Pointing.OffsetBy(0.7, 40); // a source 0.7° from the simulated pointing

            // Issue 11's targets, measured interleaved (copy, plain, scrambled in every repetition):
            // plain conversion ≤ 2 × a copy of the same bytes, scrambled ≤ 1.5 × plain.
            void CopyAndFlush()
            {
                using var from = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
                using var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                from.CopyTo(to, 1 << 20);
                to.Flush(flushToDisk: true);
            }
            var (medians, ratios) = ctx.MeasureInterleaved(
                ["File.Copy", "copy + fsync", "Convert", "Convert + scramble"],
                [
                    () => File.Copy(input, copy, overwrite: true),
                    CopyAndFlush,
                    () => FovConverter.Convert(Dl3.Run.FromFile(input), target, new ConvertOptions { OutputPath = outPath, Force = true }),
                    () => FovConverter.Convert(Dl3.Run.FromFile(input), target, new ConvertOptions
                    {
                        OutputPath = outPath, Force = true, Seed = 1, Sources = [new ScrambleSource("bench", source, 0.3)],
                    }),
                ],
                [(2, 0), (2, 1), (3, 2)]);
            ctx.Report(new BenchRow(Name, "re-point (interleaved)", medians[2], size, events, "File.Copy (interleaved)", medians[0]));
            ctx.Report(new BenchRow(Name, "re-point (interleaved)", medians[2], size, events, "copy + fsync (interleaved)", medians[1]));
            ctx.Report(new BenchRow(Name, "+ scramble (interleaved)", medians[3], size, events, "re-point (interleaved)", medians[2]));
            ctx.Log.WriteLine(FormattableString.Invariant(
                $"  targets: plain / copy {ratios[0]:0.00}, plain / (copy + fsync) {ratios[1]:0.00} (≤ 2), scrambled / plain {ratios[2]:0.00} (≤ 1.5); medians of per-repetition ratios"));
            double scrambled = ctx.Measure("ours FovConverter.Convert + scramble 1 source", () =>
                FovConverter.Convert(Dl3.Run.FromFile(input), target, new ConvertOptions
                {
                    OutputPath = outPath, Force = true, Seed = 1,
                    Sources = [new ScrambleSource("bench", source, 0.3)],
                }));
            ctx.Report(new BenchRow(Name, "re-point + scramble θ=0.3°", scrambled, size, events, "FITS read+write", baseline));
            ctx.Report(new BenchRow(Name, "re-point + scramble θ=0.3°", scrambled, size, events, "re-point only", ours));

            // The scrambling alone (offsets, annulus, profile, moves, ALT/AZ), on a table read once and scrambled again each time.
            IReadOnlyList<Hdu> fresh;
            using (var f = FitsFile.Open(input)) fresh = f.ReadAll();
            var eventsHdu = (BinaryTableHdu)fresh.First(h => h is BinaryTableHdu);
            var pointing = Dl3.Run.FromFile(input).Pointing;
            var horizon = new HorizontalFrame(eventsHdu.Header.GetDouble("GEOLAT") ?? 31.675, new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            IReadOnlyList<ScrambleReport> report = [];
            double scrambleOnly = ctx.Measure("  part: Scrambler.Scramble (1 source, with ALT/AZ)", () =>
                report = Scrambler.Scramble(eventsHdu.Table, pointing, [new ScrambleSource("bench", source, 0.3)], k => MimicRandom.ForRun(1, 1, 1, k), horizon));
            ctx.Log.WriteLine($"  annulus: {report[0].AnnulusEvents:N0} of {events:N0} events moved");
            ctx.Report(new BenchRow(Name, "  part: scramble", scrambleOnly, size, events, "re-point only", ours));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
