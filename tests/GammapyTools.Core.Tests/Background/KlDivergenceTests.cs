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

    /// <summary>The same rates on a grid whose every energy and offset bin is split in two.</summary>
    private static Background2D Split(Background2D m)
    {
        double[] Halve(double[] edges, bool log) => Enumerable.Range(0, 2 * edges.Length - 1)
            .Select(i => i % 2 == 0 ? edges[i / 2] : log ? Math.Sqrt(edges[i / 2] * edges[i / 2 + 1]) : 0.5 * (edges[i / 2] + edges[i / 2 + 1])).ToArray();
        var data = new double[2 * m.EnergyBins, 2 * m.OffsetBins];
        for (int e = 0; e < data.GetLength(0); e++)
            for (int o = 0; o < data.GetLength(1); o++) data[e, o] = m.Data[e / 2, o / 2];
        return new Background2D(Halve(m.EnergyEdges, true), Halve(m.OffsetEdges, false), data);
    }

    [Fact]
    public void Different_binnings_are_compared_on_the_coarser_common_grid()
    {
        var a = Random2D(1);
        var fine = BackgroundModel.From(Split(a));
        var coarse = BackgroundModel.From(a);
        // The same rates binned finer: the common grid is the coarser binning, and the KL is exactly what
        // the reference formula gives on it (0 against itself, the same value against another model).
        Assert.Equal(0.0, KlDivergence.Compute(coarse, fine), 1e-12);
        Assert.Equal(0.0, KlDivergence.Compute(fine, coarse), 1e-12);
        var b = BackgroundModel.From(Random2D(2));
        Assert.Equal(KlDivergence.Compute(b, coarse), KlDivergence.Compute(b, fine), 1e-12);
        Assert.Equal(Reference(b.Values, coarse.Values), KlDivergence.Compute(b, fine), 1e-12);

        // A partial overlap: only the common energy range counts (the first 10 of 20 bins here).
        var low = BackgroundModel.From(new Background2D(Energy[..11], Offset, Sub(a.Data, 10)));
        Assert.Equal(0.0, KlDivergence.Compute(coarse, low), 1e-12);

        var many = KlDivergence.ComputeMany(coarse, [fine, coarse, b], out var why);
        Assert.All(why, Assert.Null);
        Assert.Equal(0.0, many[0]!.Value, 1e-12);
        Assert.Equal(0.0, many[1]);
    }

    private static double[,] Sub(double[,] data, int energyBins)
    {
        var r = new double[energyBins, data.GetLength(1)];
        for (int e = 0; e < energyBins; e++) for (int o = 0; o < data.GetLength(1); o++) r[e, o] = data[e, o];
        return r;
    }

    [Fact]
    public void A_radially_symmetric_bkg_3d_integrated_over_azimuth_is_its_offset_profile()
    {
        // rate(E, r) = E^-2.7 · exp(-r²/2) on a 3D FoV grid of 0.1° pixels out to ±2.5°.
        double[] energy = [0.1, 1, 10, 100];
        var fov = Enumerable.Range(0, 51).Select(i => -2.5 + 0.1 * i).ToArray();
        var data = new double[3, 50, 50];
        for (int e = 0; e < 3; e++)
            for (int x = 0; x < 50; x++)
                for (int y = 0; y < 50; y++)
                {
                    double lon = 0.5 * (fov[x] + fov[x + 1]), lat = 0.5 * (fov[y] + fov[y + 1]);
                    data[e, x, y] = Math.Pow(energy[e], -2.7) * Math.Exp(-(lon * lon + lat * lat) / 2);
                }
        var threeD = BackgroundModel.From(new Background3D(energy, fov, fov, data));
        var radial = threeD.Radial;
        Assert.Equal(2.5, radial.OffsetEdges[^1], 12);
        Assert.Equal(25, radial.OffsetEdges.Length - 1);
        // Each ring's rate is the mean of the profile over the ring's area, within the pixelisation.
        for (int r = 0; r < 25; r++)
        {
            double r0 = radial.OffsetEdges[r], r1 = radial.OffsetEdges[r + 1];
            double mean = (Math.Exp(-r0 * r0 / 2) - Math.Exp(-r1 * r1 / 2)) / ((r1 * r1 - r0 * r0) / 2); // ∫ e^{-r²/2} r dr / ∫ r dr
            for (int e = 0; e < 3; e++) Assert.Equal(1.0, radial.Rate[e, r] / (Math.Pow(energy[e], -2.7) * mean), 0.02);
        }
        // The same profile as a bkg_2d on 0.5° rings: KL ≈ 0 across kinds.
        var offsets = Enumerable.Range(0, 6).Select(i => 0.5 * i).ToArray();
        var twoD = new double[3, 5];
        for (int e = 0; e < 3; e++)
            for (int o = 0; o < 5; o++)
            {
                double r0 = offsets[o], r1 = offsets[o + 1];
                twoD[e, o] = Math.Pow(energy[e], -2.7) * (Math.Exp(-r0 * r0 / 2) - Math.Exp(-r1 * r1 / 2)) / ((r1 * r1 - r0 * r0) / 2);
            }
        var model2D = BackgroundModel.From(new Background2D(energy, offsets, twoD));
        double kl = KlDivergence.Compute(model2D, threeD);
        output.WriteLine($"KL(bkg_2d, same profile as bkg_3d) = {kl:E3}");
        Assert.InRange(kl, 0, 1e-4);
        Assert.Equal(kl, KlDivergence.Compute(model2D, threeD));   // deterministic
    }

    [Fact]
    public void Models_without_overlap_are_an_error_naming_the_config_keys()
    {
        var a = BackgroundModel.From(Random2D(1));
        var high = BackgroundModel.From(new Background2D([200.0, 300.0], Offset, new double[1, 5] { { 1, 1, 1, 1, 1 } }));
        var e = Assert.Throws<BinningMismatchException>(() => KlDivergence.Compute(a, high));
        Assert.Contains("binning.e_min", e.Message);
        Assert.Contains("binning.off_max", e.Message);
        var many = KlDivergence.ComputeMany(a, [high, a], out var why);
        Assert.Null(many[0]);
        Assert.Contains("do not overlap", why[0]);
        Assert.Equal(0.0, many[1]);
    }

    [Fact]
    public void Hess_bkg_2d_made_here_is_compared_with_hess_bkg_3d_models()
    {
        // The product's measured failure: a target's new bkg_2d against the search store's bkg_3d.
        var runs = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();
        var own = BackgroundModelBuilder.Build(runs[0], [runs[0]], new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 10, 0, 2.5, 5), SmoothSigma = 1 });
        var made = BackgroundModel.From(own.Model2D!);
        var cache = new BackgroundModelCache();
        var hess = runs.Select(cache.Get).ToList();
        var values = hess.Select(h => KlDivergence.Compute(made, h)).ToList();
        output.WriteLine($"KL(own bkg_2d of {runs[0].ObsId}, H.E.S.S. bkg_3d) = {string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}");
        Assert.All(values, v => Assert.True(double.IsFinite(v) && v >= 0));
        Assert.All(values, v => Assert.True(v < 1, "a run's own model is close to its instrument's model"));
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

    [SkippableFact]
    public void Kl_tables_are_written_and_reused()
    {
        string dir = TestPaths.NewTempDir();
        var runs = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();
        var (first, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache(), dir);
        string table = Path.Combine(dir, $"{runs[0].ObsId}_kl.fits");
        Assert.True(File.Exists(table));
        Assert.All(first, r => Assert.False(r.FromTable));
        string identity = new BackgroundModelCache().Get(runs[0]).Identity;
        var rows = KlTable.TryRead(table, runs[0].ObsId, identity)!;
        Assert.Equal(first.Select(r => r.KlDivergence), first.Select(r => rows[r.ObsId].KlDivergence));
        Assert.Null(KlTable.TryRead(table, 42, identity));      // another reference's table is not used
        Assert.Null(KlTable.TryRead(table, runs[0].ObsId, "0123456789ABCDEF"));   // nor one made from another reference model

        // Reuse: only the reference model is read (its hash is checked), not the compared runs'.
        var cache = new BackgroundModelCache();
        var (second, failures) = KlDivergenceCalculator.Compute(runs[0], runs, cache, dir);
        Assert.Empty(failures);
        Assert.All(second, r => Assert.True(r.FromTable));
        Assert.Equal(1, cache.Count);
        Assert.Equal(first.Select(r => (r.ObsId, r.KlDivergence)), second.Select(r => (r.ObsId, r.KlDivergence)));

        // The same target with a newer model (a bkg_2d made here): the table is not reused, and the
        // values are the ones computed without any table.
        var model = BackgroundModelBuilder.Build(runs[0], [runs[0]], new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 10, 0, 2.5, 5), SmoothSigma = 1 });
        var newer = BackgroundModelBuilder.Attach(runs[0], model.ToHdu(), Path.Combine(dir, "newer", Path.GetFileName(runs[0].Path)), overwrite: false);
        var (onTheFly, _) = KlDivergenceCalculator.Compute(newer, runs, new BackgroundModelCache());
        var (fromDir, _) = KlDivergenceCalculator.Compute(newer, runs, new BackgroundModelCache(), dir);
        Assert.All(fromDir, r => Assert.False(r.FromTable));
        Assert.Equal(onTheFly.Select(r => (r.ObsId, r.KlDivergence)), fromDir.Select(r => (r.ObsId, r.KlDivergence)));
        Assert.All(onTheFly, r => Assert.NotEqual(first.Single(f => f.ObsId == r.ObsId).KlDivergence, r.KlDivergence));
        // ... and the rewritten table is reused for that model.
        var (again, _) = KlDivergenceCalculator.Compute(newer, runs, new BackgroundModelCache(), dir);
        Assert.All(again, r => Assert.True(r.FromTable));
        Assert.Equal(onTheFly.Select(r => (r.ObsId, r.KlDivergence)), again.Select(r => (r.ObsId, r.KlDivergence)));

        Oracles.Require(Oracle.FitsVerify);
        var (errors, warnings, report) = Oracles.Verify(table);
        Assert.True(errors == 0 && warnings == 0, report);
    }

    [SkippableFact]
    public void Kl_values_equal_numpys_evaluation_of_the_formula()
    {
        Oracles.Require(Oracle.Numpy);
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

public class TargetKlTests(ITestOutputHelper output)
{
    private static IReadOnlyList<Run> HessRuns() =>
        Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();

    [Fact]
    public void A_target_whose_model_does_not_overlap_gets_one_warning_naming_the_binning_keys()
    {
        var runs = HessRuns();
        // The target's model covers 150–300 TeV; the H.E.S.S. models end at 100 TeV.
        string dir = TestPaths.NewTempDir();
        var model = BackgroundModelBuilder.Build(runs[0], [runs[0]], new BackgroundModelOptions { Binning = new BackgroundBinning(150, 300, 2, 0, 2.5, 5) });
        var target = BackgroundModelBuilder.Attach(runs[0], model.ToHdu(), Path.Combine(dir, Path.GetFileName(runs[0].Path)), overwrite: false);
        var candidates = runs.Concat(runs).ToList();   // several runs that cannot be compared
        var warnings = new List<string>();
        var result = TargetKl.Compute(target, candidates, runs, new BackgroundModelCache(), null, warnings);
        foreach (var w in warnings) output.WriteLine(w);
        Assert.Empty(result.KlDivergence);
        Assert.Equal(candidates.Count, result.Failures.Count);
        var warning = Assert.Single(warnings);
        Assert.Contains($"run {target.ObsId}", warning);
        Assert.Contains("binning.e_min", warning);
        Assert.Contains("binning.e_max", warning);
    }

    [Fact]
    public void The_reference_model_is_in_dirs_then_the_targets_then_the_search_stores()
    {
        var runs = HessRuns();
        string dir = TestPaths.NewTempDir();
        var model = BackgroundModelBuilder.Build(runs[0], [runs[0]], new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 10, 0, 2.5, 5) });
        var made = BackgroundModelBuilder.Attach(runs[0], model.ToHdu(), Path.Combine(dir, "out", Path.GetFileName(runs[0].Path)), overwrite: false);
        DataStoreIndex.Write(Path.Combine(dir, "in"), [DataStoreIndex.Scan(runs[0].Path)], overwrite: false);
        var inDir = DataStore.Open(Path.Combine(dir, "in"));
        Assert.Equal(runs[0].Path, TargetKl.ReferenceRun(made, runs, inDir)!.Path);          // in_dir's
        Assert.Equal(made.Path, TargetKl.ReferenceRun(made, runs)!.Path);                    // the target's own
        var bare = new Run { ObsId = runs[0].ObsId, Path = "/nowhere.fits", RaPnt = runs[0].RaPnt, DecPnt = runs[0].DecPnt };
        Assert.Equal(runs[0].Path, TargetKl.ReferenceRun(bare, runs)!.Path);                 // the search store's
        Assert.Null(TargetKl.ReferenceRun(bare, runs.Skip(1).ToList()));
        Assert.Throws<InvalidOperationException>(() => TargetKl.Compute(bare, runs, runs.Skip(1).ToList(), new BackgroundModelCache(), null, []));
    }

    [Fact]
    public void Observation_time_is_the_gti_sum_else_ontime()
    {
        var run = HessRuns()[0];
        Assert.Equal(1687.0, Gti.ObservationTime(run));    // GTI sum (= ONTIME); LIVETIME is 1581.7
        Assert.NotEqual(run.Livetime, Gti.ObservationTime(run));
        // Without a GTI table: ONTIME.
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "nogti.fits");
        List<Hdu> hdus;
        using (var f = FitsFile.Open(run.Path)) hdus = f.ReadAll().Where(h => HduClassifier.Classify(h.Header) is not ("gti", _)).ToList();
        FitsWriter.Write(path, hdus, overwrite: false);
        var noGti = Run.FromFile(path);
        Assert.Null(noGti.FindHdu("gti"));
        Assert.Equal(noGti.Ontime, Gti.ObservationTime(noGti));
    }
}
