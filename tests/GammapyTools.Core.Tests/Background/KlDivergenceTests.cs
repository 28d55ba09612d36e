using System.Diagnostics;
using System.Globalization;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Tests.Dl3;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

public class KlDivergenceTests(ITestOutputHelper output)
{
    private static readonly double[] Energy = Enumerable.Range(0, 21).Select(i => 0.1 * Math.Pow(1000, i / 20.0)).ToArray();
    private static readonly double[] Offset = Enumerable.Range(0, 6).Select(i => i * 0.5).ToArray();

    private static Background2D Random2D(int seed, double[]? energy = null)
    {
        energy ??= Energy;
        var rng = new Random(seed);
        var data = new double[energy.Length - 1, Offset.Length - 1];
        for (int e = 0; e < data.GetLength(0); e++)
            for (int o = 0; o < data.GetLength(1); o++)
                data[e, o] = 1e-3 * Math.Pow(energy[e], -2.7) * Math.Exp(-o * 0.3) * (0.5 + rng.NextDouble());
        return new Background2D(energy, Offset, data);
    }

    private static double Reference(double[] a, double[] b)
    {
        // The formula written out literally, as a second implementation.
        double sa = a.Sum(), sb = b.Sum(), kl = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double p = a[i] / sa + 1e-9, q = b[i] / sb + 1e-9;
            kl += p * Math.Log(p / q);
        }
        return kl;
    }

    [Fact]
    public void Identical_models_give_exactly_zero()
    {
        var m = BackgroundModel.From(Random2D(1));
        Assert.Equal(0.0, KlDivergence.Compute(m, m));
        Assert.Equal(0.0, KlDivergence.Compute(m, BackgroundModel.From(Random2D(1))));
        // with empty bins too: the 1e-9 offset keeps the logarithm finite
        var values = m.Values.ToArray();
        values[3] = 0;
        Assert.Equal(0.0, KlDivergence.Compute(values, values.ToArray()));
    }

    [Fact]
    public void Values_follow_the_definition_and_are_positive()
    {
        var a = BackgroundModel.From(Random2D(1));
        var b = BackgroundModel.From(Random2D(2));
        double kl = KlDivergence.Compute(a, b);
        Assert.True(kl > 0);
        Assert.Equal(Reference(a.Values, b.Values), kl, 1e-15);
        // empty bins in Q stay finite (1e-9 offset)
        var c = b.Values.ToArray();
        c[0] = 0;
        Assert.True(double.IsFinite(KlDivergence.Compute(a.Values, c)));
    }

    [Fact]
    public void Different_binnings_are_an_error_not_a_number()
    {
        var a = BackgroundModel.From(Random2D(1));
        var otherEdges = Energy.ToArray();
        otherEdges[5] *= 1.01;
        var b = BackgroundModel.From(Random2D(2, otherEdges));
        var e = Assert.Throws<BinningMismatchException>(() => KlDivergence.Compute(a, b));
        Assert.Contains("energy edge 5", e.Message);
        var fewer = BackgroundModel.From(Random2D(2, Energy[..^1]));
        Assert.Contains("20 vs 19 energy bins", Assert.Throws<BinningMismatchException>(() => KlDivergence.Compute(a, fewer)).Message);
        var threeD = BackgroundModel.From(new Background3D([0.1, 1, 10], [-1, 0, 1], [-1, 0, 1], new double[2, 2, 2] { { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } } }));
        Assert.Contains("bkg_2d vs bkg_3d", Assert.Throws<BinningMismatchException>(() => KlDivergence.Compute(a, threeD)).Message);
        var many = KlDivergence.ComputeMany(a, [b, a], out var why);
        Assert.Null(many[0]);
        Assert.NotNull(why[0]);
        Assert.Equal(0.0, many[1]);
    }

    [Fact]
    public void Hess_bkg_3d_models_are_compared_through_the_cache()
    {
        var runs = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();
        var cache = new BackgroundModelCache();
        var (results, failures) = KlDivergenceCalculator.Compute(runs[0], runs, cache);
        Assert.Empty(failures);
        Assert.Equal([runs[0].ObsId, runs[1].ObsId], results.Select(r => r.ObsId));
        Assert.Equal(0.0, results[0].KlDivergence);
        Assert.True(results[1].KlDivergence > 0);
        Assert.Equal(2, cache.Count);
        var m0 = cache.Get(runs[0]);
        Assert.Same(m0, cache.Get(runs[0]));     // read once
        Assert.Equal("bkg_3d", m0.HduClass);
        Assert.Equal(Reference(m0.Values, cache.Get(runs[1]).Values), results[1].KlDivergence, 1e-15);
    }

    [Fact]
    public void A_run_without_a_background_model_is_a_failure_not_a_crash()
    {
        var hess = Run.FromFile(Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().First());
        var magic = Run.FromFile(Directory.GetFiles(TestPaths.Data("magic-rad-max"), "*.fits").Order().First());
        var (results, failures) = KlDivergenceCalculator.Compute(hess, [hess, magic]);
        Assert.Single(results);
        Assert.Equal(magic.ObsId, Assert.Single(failures).Run.ObsId);
    }

    [Fact]
    public void Kl_tables_are_written_and_reused()
    {
        string dir = TestPaths.NewTempDir();
        var runs = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();
        var (first, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache(), dir);
        string table = Path.Combine(dir, $"{runs[0].ObsId}_kl.fits");
        Assert.True(File.Exists(table));
        Assert.All(first, r => Assert.False(r.FromTable));
        var rows = KlTable.TryRead(table, runs[0].ObsId)!;
        Assert.Equal(first.Select(r => r.KlDivergence), first.Select(r => rows[r.ObsId].KlDivergence));
        Assert.Null(KlTable.TryRead(table, 42));      // another reference's table is not used
        if (Oracles.FitsVerify is not null)
        {
            var (errors, warnings, report) = Oracles.Verify(table);
            Assert.True(errors == 0 && warnings == 0, report);
        }

        // Reuse: a fresh cache stays empty because no model has to be read.
        var cache = new BackgroundModelCache();
        var (second, failures) = KlDivergenceCalculator.Compute(runs[0], runs, cache, dir);
        Assert.Empty(failures);
        Assert.All(second, r => Assert.True(r.FromTable));
        Assert.Equal(0, cache.Count);
        Assert.Equal(first.Select(r => (r.ObsId, r.KlDivergence)), second.Select(r => (r.ObsId, r.KlDivergence)));
    }

    [Fact]
    public void Kl_values_equal_numpys_evaluation_of_the_formula()
    {
        if (!Oracles.HasNumpy) { output.WriteLine("SKIPPED: numpy (Debian python3-numpy, part of python3-gammapy) is not installed"); return; }
        var models = Enumerable.Range(0, 12).Select(i => BackgroundModel.From(Random2D(100 + i))).ToList();
        // plus the real H.E.S.S. bkg_3d models (with their empty bins)
        var hess = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();
        var cache = new BackgroundModelCache();
        string dir = TestPaths.NewTempDir();
        var cases = new List<(BackgroundModel Ref, List<BackgroundModel> Others)>
        {
            (models[0], models.Skip(1).ToList()),
            (cache.Get(hess[0]), [cache.Get(hess[1])]),
            (cache.Get(hess[1]), [cache.Get(hess[0])]),
        };
        foreach (var (reference, others) in cases)
        {
            string file = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".txt");
            File.WriteAllLines(file, new[] { reference }.Concat(others).Select(m => string.Join(" ", m.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var (code, text) = Oracles.RunPython("kl_divergence.py", file);
            Assert.True(code == 0, text);
            var numpy = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(others.Count, numpy.Count);
            for (int i = 0; i < others.Count; i++)
            {
                double ours = KlDivergence.Compute(reference, others[i]);
                Assert.True(Math.Abs(ours - numpy[i]) <= 1e-12 * Math.Abs(numpy[i]), $"ours {ours:R}, numpy {numpy[i]:R}");
            }
        }
    }

    [Fact]
    public void One_target_against_2000_cached_models_is_fast()
    {
        var reference = BackgroundModel.From(Random2D(0));
        var models = Enumerable.Range(1, 2000).Select(i => BackgroundModel.From(Random2D(i))).ToList();
        KlDivergence.ComputeMany(reference, models, out _);   // warm-up (JIT)
        var sw = Stopwatch.StartNew();
        var values = KlDivergence.ComputeMany(reference, models, out _);
        sw.Stop();
        output.WriteLine($"KL of one 20x5 bkg_2d model against 2000 cached models: {sw.Elapsed.TotalMilliseconds:F2} ms");
        // No timing assert (issue 11: benchmarks are not timed tests; a loaded CI machine made this flaky): the time is reported, bench/ measures it.
        Assert.All(values, v => Assert.True(v > 0));
    }
}
