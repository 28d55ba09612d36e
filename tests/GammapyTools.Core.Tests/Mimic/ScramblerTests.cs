using System.Security.Cryptography;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// Scrambling on a simulated VERITAS-like run (200 000 background events, Rayleigh acceptance σ = 1°)
/// with a bright point source (3000 events, PSF 0.05°) at 0.5° offset, θ = 0.15°; the result is
/// re-pointed onto a target at (200, −10).
/// </summary>
public class ScramblerTests(ITestOutputHelper output, ScramblerTests.Fixture fixture) : IClassFixture<ScramblerTests.Fixture>
{
    public sealed class Fixture
    {
        public readonly string Dir = TestPaths.NewTempDir();
        public static readonly SkyCoord Pointing = new(150, 30);
        public static readonly SkyCoord Source = Pointing.OffsetBy(0.5, 60);
        public static readonly SkyCoord TargetPointing = new(200, -10);
        public const double Theta = 0.15;
        public readonly SyntheticRun WithSourceSim, NoSourceSim;
        public readonly string WithSource, NoSource, Target, Scrambled, ScrambledSameSeed, ScrambledOtherSeed, NotScrambled, NoSourceConverted;

        public Fixture()
        {
            NoSourceSim = new SyntheticRun(4242, Pointing, 200_000, 11);
            WithSourceSim = NoSourceSim with { Source = Source, SourceEvents = 3000 };
            WithSource = WithSourceSim.Write(Path.Combine(Dir, "with_source.fits"));
            NoSource = NoSourceSim.Write(Path.Combine(Dir, "no_source.fits"));
            Target = new SyntheticRun(9000, TargetPointing, 10, 3).Write(Path.Combine(Dir, "target.fits"));
            var target = Run.FromFile(Target);
            ConvertOptions Opt(string name, long? seed, bool scramble = true) => new()
            {
                OutputPath = Path.Combine(Dir, name),
                ScramblePoints = scramble ? [$"{Source.Ra:R} {Source.Dec:R}"] : [],
                ScrambleTheta = scramble ? [Theta] : [],
                Seed = seed,
            };
            Scrambled = FovConverter.Convert(Run.FromFile(WithSource), target, Opt("scrambled.fits", 7)).OutputPath;
            ScrambledSameSeed = FovConverter.Convert(Run.FromFile(WithSource), target, Opt("scrambled_same.fits", 7)).OutputPath;
            ScrambledOtherSeed = FovConverter.Convert(Run.FromFile(WithSource), target, Opt("scrambled_other.fits", 8)).OutputPath;
            NotScrambled = FovConverter.Convert(Run.FromFile(WithSource), target, Opt("not_scrambled.fits", null, scramble: false)).OutputPath;
            NoSourceConverted = FovConverter.Convert(Run.FromFile(NoSource), target, Opt("no_source_converted.fits", null, scramble: false)).OutputPath;
        }

        public SkyCoord MovedSource => new PointingRotation(Pointing, TargetPointing).Apply(Source);

        public static (float[] Ra, float[] Dec, BinaryTable Table) Events(string path)
        {
            using var f = FitsFile.Open(path);
            var t = f.ReadTable("EVENTS").Table;
            return (t["RA"].Get<float>(), t["DEC"].Get<float>(), t);
        }
    }

    private readonly Fixture _f = fixture;

    private static int CountWithin(float[] ra, float[] dec, SkyCoord center, double radius)
    {
        int n = 0;
        for (int i = 0; i < ra.Length; i++) if (center.SeparationTo(new SkyCoord(ra[i], dec[i])) < radius) n++;
        return n;
    }

    /// <summary>Li &amp; Ma (1983) eq. 17, signed.</summary>
    internal static double LiMa(double non, double noff, double alpha)
    {
        if (non <= 0 && noff <= 0) return 0;
        double t1 = non > 0 ? non * Math.Log((1 + alpha) / alpha * non / (non + noff)) : 0;
        double t2 = noff > 0 ? noff * Math.Log((1 + alpha) * noff / (non + noff)) : 0;
        return Math.Sign(non - alpha * noff) * Math.Sqrt(2 * Math.Max(0, t1 + t2));
    }

    /// <summary>On counts, off counts and α from reflected regions at the source's offset around the pointing.</summary>
    private (int On, int Off, double Alpha) Reflected(string path)
    {
        var (ra, dec, _) = Fixture.Events(path);
        var p = Fixture.TargetPointing; var s = _f.MovedSource;
        double d = p.SeparationTo(s), pa = p.PositionAngleTo(s);
        int m = (int)Math.Floor(360 / (2.2 * Math.Asin(Math.Sin(Fixture.Theta * Angles.DegToRad) / Math.Sin(d * Angles.DegToRad)) * Angles.RadToDeg));
        int on = CountWithin(ra, dec, s, Fixture.Theta), off = 0;
        for (int k = 1; k < m; k++) off += CountWithin(ra, dec, p.OffsetBy(d, pa + k * 360.0 / m), Fixture.Theta);
        return (on, off, 1.0 / (m - 1));
    }

    [Fact]
    public void The_bright_source_is_gone_after_scrambling()
    {
        var before = Reflected(_f.NotScrambled);
        var after = Reflected(_f.Scrambled);
        double sBefore = LiMa(before.On, before.Off, before.Alpha), sAfter = LiMa(after.On, after.Off, after.Alpha);
        output.WriteLine($"before: on {before.On} off {before.Off} alpha {before.Alpha:0.###} LiMa {sBefore:0.00}; after: on {after.On} off {after.Off} LiMa {sAfter:0.00}");
        Assert.True(sBefore > 20, $"the simulated source should be bright (LiMa {sBefore})");
        Assert.True(Math.Abs(sAfter) < 2, $"LiMa after scrambling {sAfter}");
    }

    private static double[] AnnulusOffsets(string path, SkyCoord pointing, double d, double theta, out double[] positionAngles)
    {
        var (ra, dec, _) = Fixture.Events(path);
        var r = new List<double>(); var pa = new List<double>();
        for (int i = 0; i < ra.Length; i++)
        {
            var c = new SkyCoord(ra[i], dec[i]);
            double sep = pointing.SeparationTo(c);
            if (Math.Abs(sep - d) < theta) { r.Add(sep); pa.Add(pointing.PositionAngleTo(c)); }
        }
        positionAngles = pa.ToArray();
        return r.ToArray();
    }

    [Fact]
    public void The_annulus_keeps_the_radial_acceptance_of_the_run_without_the_source()
    {
        double d = Fixture.Pointing.SeparationTo(Fixture.Source);
        var scrambled = AnnulusOffsets(_f.Scrambled, Fixture.TargetPointing, d, Fixture.Theta, out _);
        var reference = AnnulusOffsets(_f.NoSourceConverted, Fixture.TargetPointing, d, Fixture.Theta, out _);
        double p = Statistics.KolmogorovSmirnovTwoSample(scrambled, reference, out double dStat);
        output.WriteLine($"annulus: {scrambled.Length} scrambled vs {reference.Length} without source; KS D = {dStat:0.0000}, p = {p:0.000}");
        Assert.True(p > 0.01, $"KS p = {p}");
        Assert.True(scrambled.Min() >= d - Fixture.Theta - 1e-4 && scrambled.Max() <= d + Fixture.Theta + 1e-4);
    }

    [Fact]
    public void Position_angles_in_the_annulus_are_uniform()
    {
        double d = Fixture.Pointing.SeparationTo(Fixture.Source);
        AnnulusOffsets(_f.Scrambled, Fixture.TargetPointing, d, Fixture.Theta, out var pa);
        double p = Statistics.KolmogorovSmirnovUniform(pa.Select(x => x / 360.0).ToArray(), out double dStat);
        output.WriteLine($"{pa.Length} position angles: KS D = {dStat:0.0000}, p = {p:0.000}");
        Assert.True(p > 0.01, $"KS p = {p}");
    }

    [Fact]
    public void Events_outside_the_annulus_are_identical_and_other_columns_are_kept()
    {
        var (ra0, dec0, orig) = Fixture.Events(_f.WithSource);
        var (raS, decS, scr) = Fixture.Events(_f.Scrambled);
        var (raN, decN, _) = Fixture.Events(_f.NotScrambled);
        double d = Fixture.Pointing.SeparationTo(Fixture.Source);
        int inside = 0;
        var xS = scr["Xoff"].Get<float>(); var yS = scr["Yoff"].Get<float>();
        var x0 = orig["Xoff"].Get<float>(); var y0 = orig["Yoff"].Get<float>();
        var time = orig["TIME"].Get<double>();
        for (int i = 0; i < ra0.Length; i++)
        {
            double r = Fixture.Pointing.SeparationTo(new SkyCoord(ra0[i], dec0[i]));
            if (Math.Abs(r - d) >= Fixture.Theta)
            {
                Assert.Equal(raN[i], raS[i]); Assert.Equal(decN[i], decS[i]);
                Assert.Equal(x0[i], xS[i]); Assert.Equal(y0[i], yS[i]);
                continue;
            }
            inside++;
            // Camera offsets follow the new sky offset with the event's own field rotation.
            var c = new SkyCoord(raS[i], decS[i]);
            double rNew = Fixture.TargetPointing.SeparationTo(c), paNew = Fixture.TargetPointing.PositionAngleTo(c);
            Assert.True(Math.Abs(rNew - Math.Sqrt((double)xS[i] * xS[i] + (double)yS[i] * yS[i])) < 1e-4, $"event {i}: camera radius vs offset {rNew}");
            double rho = Math.Atan2(yS[i], xS[i]) * Angles.RadToDeg - (90 - paNew);
            Assert.True(Math.Abs(Angles.Wrap180(rho - _f.WithSourceSim.FieldRotation(time[i] - 4.0e8))) < 0.01, $"event {i}: field rotation {rho}");
        }
        Assert.InRange(inside, 20_000, 40_000);
        foreach (var col in orig.Columns.Where(c => c.Name is not ("RA" or "DEC" or "Xoff" or "Yoff")))
            Assert.True(System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(col.Data, scr[col.Name].Data), col.Name);
    }

    [Fact]
    public void The_same_seed_gives_identical_files_and_another_seed_different_ones()
    {
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(_f.Scrambled)), SHA256.HashData(File.ReadAllBytes(_f.ScrambledSameSeed)));
        Assert.NotEqual(SHA256.HashData(File.ReadAllBytes(_f.Scrambled)), SHA256.HashData(File.ReadAllBytes(_f.ScrambledOtherSeed)));
        using var f = FitsFile.Open(_f.Scrambled);
        Assert.Contains(f.Find("EVENTS")!.Header, c => c.Keyword == "HISTORY" && (c.Comment ?? "").Contains("seed 7"));
    }

    [Fact]
    public void Scrambling_gives_the_same_events_on_one_thread_and_on_many()
    {
        // θ = 0.4° puts ~60 000 events in the annulus: several blocks of Scrambler.EventsPerStream, so several streams.
        var sources = new[] { new ScrambleSource("src", Fixture.Source, 0.4), new ScrambleSource("second", Fixture.Pointing.OffsetBy(0.9, 200), 0.3) };
        BinaryTable Scrambled(int threads, out IReadOnlyList<ScrambleReport> reports)
        {
            var (_, _, table) = Fixture.Events(_f.WithSource);
            reports = Scrambler.Scramble(table, Fixture.Pointing, sources, k => MimicRandom.ForRun(7, 1, 2, k), maxParallelism: threads);
            return table;
        }
        var one = Scrambled(1, out var reports);
        Assert.True(reports[0].AnnulusEvents > 2 * Scrambler.EventsPerStream, $"{reports[0].AnnulusEvents} annulus events");
        foreach (int threads in new[] { 2, 3, 8 })
        {
            var many = Scrambled(threads, out _);
            foreach (string col in new[] { "RA", "DEC", "XOFF", "YOFF" })
                Assert.Equal(one[col].Get<float>(), many[col].Get<float>());
        }
        // and the scrambling did move events
        var (ra0, _, _) = Fixture.Events(_f.WithSource);
        Assert.True(ra0.Zip(one["RA"].Get<float>()).Count(p => p.First != p.Second) >= reports[0].AnnulusEvents / 2);
    }

    [Fact]
    public void Mismatched_theta_counts_and_sources_outside_the_field_are_clear_errors()
    {
        var bkg = Run.FromFile(_f.NoSource); var target = Run.FromFile(_f.Target);
        string outFile = Path.Combine(TestPaths.NewTempDir(), "x.fits");
        var e1 = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, new ConvertOptions
        { OutputPath = outFile, ScramblePoints = ["150 30.5", "150.5 30"], ScrambleTheta = [0.1, 0.2, 0.3] }));
        Assert.Contains("2 scramble point(s) but 3 radii", e1.Message);
        var e2 = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, new ConvertOptions
        { OutputPath = outFile, ScramblePoints = ["150 36"], ScrambleTheta = [0.2] }));
        Assert.Contains("outside the field of view", e2.Message);
        Assert.Equal(_f.NoSource, e2.FilePath);
        var e3 = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, new ConvertOptions
        { OutputPath = outFile, ScramblePoints = ["Crab Nebulla"], ScrambleTheta = [0.2], CatalogPaths = [TestPaths.Data("catalogs", "gammacat.fits.gz")] }));
        Assert.Contains("close matches", e3.Message);
        Assert.Contains("Crab nebula", e3.Message);
        var e4 = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, new ConvertOptions
        { OutputPath = outFile, ScramblePoints = ["150 30.5"] }));
        Assert.Contains("no scramble radius", e4.Message);
        Assert.False(File.Exists(outFile));
    }

    [Fact]
    public void Names_resolve_in_catalogs_and_one_theta_per_source_works_on_real_hess_data()
    {
        var hess = Run.FromFile(FovConverterTests.HessA);
        var target = Run.FromFile(FovConverterTests.MagicA);
        string outFile = Path.Combine(TestPaths.NewTempDir(), "crab_scrambled.fits");
        var result = FovConverter.Convert(hess, target, new ConvertOptions
        {
            OutputPath = outFile, Seed = 1,
            ScramblePoints = ["Crab Nebula", "84.5 22.5"], ScrambleTheta = [0.2, 0.1],
            CatalogPaths = [TestPaths.Data("catalogs", "gammacat.fits.gz"), TestPaths.Data("catalogs", "3HWC.ecsv")],
        });
        Assert.Equal(2, result.Scrambled.Count);
        Assert.Equal(0.2, result.Scrambled[0].Source.Theta); Assert.Equal(0.1, result.Scrambled[1].Source.Theta);
        var crab = new SkyCoord(83.63308, 22.0145);
        var moved = new PointingRotation(hess.Pointing, target.Pointing).Apply(crab);
        var (ra0, dec0, _) = Fixture.Events(FovConverterTests.HessA);
        var (ra1, dec1, _) = Fixture.Events(outFile);
        int before = CountWithin(ra0, dec0, crab, 0.2), after = CountWithin(ra1, dec1, moved, 0.2);
        output.WriteLine($"H.E.S.S. 23523: {before} events within 0.2° of the Crab before, {after} after scrambling ({result.Scrambled[0].AnnulusEvents} in the annulus)");
        Assert.True(after < before / 2, $"{before} -> {after}");
    }

    [Fact]
    public void The_radial_profile_correction_and_sampler_stay_in_range()
    {
        // A circle of θ at distance d hides 2·asin(sin θ / sin d)/2π of the ring at r = d.
        double expected = Math.Asin(Math.Sin(0.1 * Angles.DegToRad) / Math.Sin(0.5 * Angles.DegToRad)) / Math.PI;
        Assert.Equal(expected, RadialProfile.HiddenShareAt(0.5, 0.5, 0.1), 3);
        Assert.Equal(0.0, RadialProfile.HiddenShareAt(0.7, 0.5, 0.1));
        Assert.Equal(1.0, RadialProfile.HiddenShareAt(0.05, 0.05, 0.2));
        var profile = RadialProfile.Build([0.45, 0.5, 0.55, 0.58], 0.4, 0.6, 0.5, 0.1)!;
        var rng = new MimicRandom(1);
        for (int i = 0; i < 10_000; i++) Assert.InRange(profile.Sample(rng.NextDouble()), 0.4, 0.6);
        Assert.Equal(0.45, profile.Sample(0.0), 12);   // the first bin is empty: no density there
        // A source on the pointing: the inner bins are hidden completely; r' still stays in [0, d + θ].
        var centred = RadialProfile.Build([0.25, 0.28, 0.29], 0, 0.3, 0.0, 0.2)!;
        for (int i = 0; i < 1000; i++) Assert.InRange(centred.Sample(rng.NextDouble()), 0, 0.3);
    }
}

/// <summary>Kolmogorov–Smirnov tests (asymptotic p-values, Numerical Recipes §14.3).</summary>
internal static class Statistics
{
    public static double KolmogorovSmirnovTwoSample(double[] a, double[] b, out double d)
    {
        var x = a.Order().ToArray(); var y = b.Order().ToArray();
        int i = 0, j = 0; d = 0;
        while (i < x.Length && j < y.Length)
        {
            double v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        double en = Math.Sqrt((double)x.Length * y.Length / (x.Length + y.Length));
        return Qks((en + 0.12 + 0.11 / en) * d);
    }

    public static double KolmogorovSmirnovUniform(double[] u, out double d)
    {
        var x = u.Order().ToArray();
        d = 0;
        for (int i = 0; i < x.Length; i++)
            d = Math.Max(d, Math.Max(Math.Abs((i + 1.0) / x.Length - x[i]), Math.Abs(x[i] - (double)i / x.Length)));
        double en = Math.Sqrt(x.Length);
        return Qks((en + 0.12 + 0.11 / en) * d);
    }

    private static double Qks(double lambda)
    {
        if (lambda < 0.2) return 1.0;
        double sum = 0;
        for (int j = 1; j <= 100; j++) sum += 2 * (j % 2 == 1 ? 1 : -1) * Math.Exp(-2.0 * j * j * lambda * lambda);
        return Math.Clamp(sum, 0, 1);
    }
}

public class ScrambleDiagnosticTests(ITestOutputHelper output)
{
    [Fact]
    public void Writes_a_png_with_the_sources_recorded_in_history()
    {
        string dir = TestPaths.NewTempDir();
        var p = new SkyCoord(150, 30);
        string bkg = new SyntheticRun(4243, p, 30_000, 12) { Source = p.OffsetBy(0.5, 60), SourceEvents = 1000 }.Write(Path.Combine(dir, "bkg.fits"));
        string tgt = new SyntheticRun(9001, new SkyCoord(200, -10), 10, 3).Write(Path.Combine(dir, "target.fits"));
        var src = p.OffsetBy(0.5, 60);
        var result = FovConverter.Convert(Run.FromFile(bkg), Run.FromFile(tgt), new ConvertOptions
        {
            OutputPath = Path.Combine(dir, "mimic.fits"), Seed = 5,
            ScramblePoints = [string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{src.Ra:R} {src.Dec:R}")], ScrambleTheta = [0.15],
        });
        string png = Path.Combine(dir, "diag", "scramble.png");
        var d = ScrambleDiagnostic.Write(png, Run.FromFile(bkg), result.Run);
        output.WriteLine($"{png}: {new FileInfo(png).Length} bytes");
        Assert.Single(d.Sources);
        Assert.Equal(0.15, d.Sources[0].Theta);
        Assert.True(d.Sources[0].Position.SeparationTo(src) < 1e-3);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 20_000);
        Assert.Throws<FovConversionException>(() => ScrambleDiagnostic.Write(png, Run.FromFile(bkg), result.Run));
        File.Copy(png, "/tmp/scramble-diagnostic.png", true);
    }
}
