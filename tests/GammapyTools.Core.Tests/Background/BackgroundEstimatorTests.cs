using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Simulation;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

public class BackgroundEstimatorTests(ITestOutputHelper output)
{
    // The simulator's true model binning: 20 log energy bins 0.05–100 TeV, offsets 0–3° by 0.25°.
    private static readonly BackgroundBinning TruthBinning = new(0.05, 100.0, 20, 0.0, 3.0, 12);

    private static Run SimulateOne(string dir, long seed, double eventsPerRun, IReadOnlyList<SimulatedSource>? sources = null) =>
        DataStoreSimulator.Create(dir, new SimulationOptions
        {
            RunCount = 1, Seed = seed, EventsPerRun = eventsPerRun, Compress = false, Sources = sources ?? [],
            // With a source, the run points at it with the usual 0.5° wobble.
            Fields = sources is { Count: > 0 } ? sources.Select(s => new SimulationField(s.Name ?? "source", s.Position)).ToList() : null,
        })[0];

    private static Background2D TrueModel(Run run)
    {
        using var f = FitsFile.Open(run.Path);
        return Background2D.FromHdu(f.ReadTable(f.Find(h => HduClassifier.Classify(h) is ("bkg", "bkg_2d"))!));
    }

    /// <summary>χ² of the estimated counts against truth × exposure, and the populated bins, per offset bin range.</summary>
    private static (double Chi2, int Bins) Compare(Background2D estimate, Background2D truth, double observationTime, int firstOffset = 0, int lastOffset = 1000)
    {
        double chi2 = 0;
        int bins = 0;
        for (int e = 0; e < truth.EnergyBins; e++)
            for (int o = firstOffset; o < Math.Min(truth.OffsetBins, lastOffset + 1); o++)
            {
                double omega = 2 * Math.PI * (Math.Cos(truth.OffsetEdges[o] * Math.PI / 180) - Math.Cos(truth.OffsetEdges[o + 1] * Math.PI / 180));
                double exposure = observationTime * omega * (truth.EnergyEdges[e + 1] - truth.EnergyEdges[e]) * 1e6;
                double expected = truth.Data[e, o] * exposure;
                if (expected < 10) continue;
                double observed = estimate.Data[e, o] * exposure;
                chi2 += (observed - expected) * (observed - expected) / expected;
                bins++;
            }
        return (chi2, bins);
    }

    [Fact]
    public void The_estimated_rate_agrees_with_the_true_rate_bin_by_bin()
    {
        var run = SimulateOne(TestPaths.NewTempDir(), 11, 400_000);
        var result = BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions { Binning = TruthBinning, SmoothSigma = null });
        var (chi2, bins) = Compare(result.Model2D!, TrueModel(run), run.Ontime!.Value);
        output.WriteLine($"chi2/ndf = {chi2:F1}/{bins} = {chi2 / bins:F2}");
        Assert.True(bins > 50, $"only {bins} populated bins");
        Assert.True(chi2 / bins < 1.5, $"chi2/ndf = {chi2 / bins:F2}");
    }

    [Fact]
    public void Excluding_a_bright_source_keeps_the_rate_at_its_offset_and_not_excluding_it_does_not()
    {
        string dir = TestPaths.NewTempDir();
        var source = new SimulatedSource(new SkyCoord(166.11, 38.21), EventsPerHour: 30_000, SpectralIndex: 2.0, Name: "bright");
        var run = SimulateOne(dir, 5, 200_000, [source]);
        double d = SphericalGeometry.Separation(run.Pointing, source.Position);
        Assert.InRange(d, 0.45, 0.55);
        var truth = TrueModel(run);
        int o = (int)(d / 0.25);

        var with = BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions
        {
            Binning = TruthBinning,
            SmoothSigma = null,
            Exclusions = new ExclusionOptions { UserRegions = [new ExclusionRegion(source.Position, 0.4, "bright")] },
        });
        var without = BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions { Binning = TruthBinning, SmoothSigma = null });

        var (chiWith, nWith) = Compare(with.Model2D!, truth, run.Ontime!.Value, o, o);
        var (chiWithout, nWithout) = Compare(without.Model2D!, truth, run.Ontime!.Value, o, o);
        output.WriteLine($"offset bin {o}: chi2/ndf with exclusion {chiWith:F1}/{nWith}, without {chiWithout:F1}/{nWithout}");
        Assert.True(with.EventsExcluded > 0);
        Assert.True(chiWith / nWith < 2.0, $"with exclusion chi2/ndf = {chiWith / nWith:F2}");
        Assert.True(chiWithout / nWithout > 5.0, $"without exclusion chi2/ndf = {chiWithout / nWithout:F2}: the source should show");
    }

    [SkippableFact]
    public void Smoothing_matches_scipy_gaussian_filter()
    {
        var rng = new Random(3);
        var row = Enumerable.Range(0, 17).Select(_ => rng.NextDouble()).ToArray();
        var image = new double[9, 11];
        for (int x = 0; x < 9; x++) for (int y = 0; y < 11; y++) image[x, y] = rng.NextDouble();
        var ours1 = GaussianSmoothing.Smooth1D(row, 1.3);
        var ours2 = GaussianSmoothing.Smooth2D(image, 0.8);
        Oracles.Require(Oracle.Scipy);
        string input = Path.Combine(TestPaths.NewTempDir(), "smooth.txt");
        File.WriteAllLines(input, [string.Join(" ", row.Select(v => v.ToString("R"))),
            string.Join(" ", image.Cast<double>().Select(v => v.ToString("R")))]);
        var (code, text) = Oracles.RunPython("gaussian_filter.py", input);
        Assert.True(code == 0, text);
        var lines = text.Trim().Split('\n');
        var scipy1 = lines[0].Split(' ').Select(double.Parse).ToArray();
        var scipy2 = lines[1].Split(' ').Select(double.Parse).ToArray();
        for (int i = 0; i < row.Length; i++) Assert.Equal(scipy1[i], ours1[i], 1e-12);
        var flat = ours2.Cast<double>().ToArray();
        for (int i = 0; i < flat.Length; i++) Assert.Equal(scipy2[i], flat[i], 1e-12);
    }

    [SkippableFact]
    public void Attached_models_are_read_by_gammapy_with_the_rates_we_wrote_and_pass_fitsverify()
    {
        string dir = TestPaths.NewTempDir();
        var run = SimulateOne(Path.Combine(dir, "in"), 21, 50_000);
        byte[] before = File.ReadAllBytes(run.Path);
        var model = BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 12, 0, 2.5, 10), SmoothSigma = 1 });
        string outDir = Path.Combine(dir, "out");
        var withModel = BackgroundModelBuilder.Attach(run, model.ToHdu(), Path.Combine(outDir, Path.GetFileName(run.Path)), overwrite: false);
        Assert.Equal(before, File.ReadAllBytes(run.Path));
        Assert.Equal("bkg_2d", withModel.BackgroundClass);
        Assert.Single(withModel.Hdus, h => h.HduType == "bkg");

        // Same inputs, same file.
        string again = Path.Combine(dir, "again", Path.GetFileName(run.Path));
        BackgroundModelBuilder.Attach(run, BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions { Binning = new BackgroundBinning(0.1, 100, 12, 0, 2.5, 10), SmoothSigma = 1 }).ToHdu(), again, false);
        Assert.Equal(File.ReadAllBytes(withModel.Path), File.ReadAllBytes(again));

        Oracles.Require(Oracle.FitsVerify);
        var (errors, warnings, report) = Oracles.Verify(withModel.Path);
        Assert.True(errors == 0 && warnings == 0, report);

        Oracles.Require(Oracle.Gammapy);
        DataStoreIndex.Write(outDir, [DataStoreIndex.Scan(withModel.Path)], false);
        var (code, text) = Oracles.RunPython("background_values.py", "--store", outDir, withModel.ObsId.ToString());
        Assert.True(code == 0, text);
        var values = text.Trim().Split(' ')[1..].Select(double.Parse).ToArray();
        var ours = model.Model2D!.Data.Cast<double>().Select(v => (double)(float)v).ToArray();
        Assert.Equal(ours, values);
    }

    [Fact]
    public void A_missing_catalog_is_a_clear_error()
    {
        var e = Assert.ThrowsAny<Exception>(() => CatalogSet.Load(["/nonexistent/gammacat.fits.gz"]));
        Assert.Contains("/nonexistent/gammacat.fits.gz", e.Message);
    }

    [Fact]
    public void Catalog_sources_and_stars_near_a_field_become_exclusion_regions()
    {
        var catalogs = CatalogSet.Load([TestPaths.Data("catalogs", "gammacat.fits.gz"), TestPaths.Data("catalogs", "Hipparcos_MAG8_1997.dat")]);
        var crab = catalogs.Resolve("Crab Nebula").Position;
        var regions = new ExclusionOptions { Catalogs = catalogs }.ForField(crab, 2.5);
        Assert.Contains(regions, r => r.Name is not null && r.Name.Contains("Crab", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(regions, r => r.Name is not null && r.Name.StartsWith("HIP "));
        Assert.All(regions, r => Assert.True(SphericalGeometry.Separation(crab, r.Center) < 2.5 + r.Radius));
    }

    [Fact]
    public void A_run_without_livetime_or_events_gives_a_clear_message()
    {
        string dir = TestPaths.NewTempDir();
        var run = SimulateOne(dir, 2, 1000);
        var broken = new Run { ObsId = run.ObsId, Path = Path.Combine(dir, "missing.fits"), RaPnt = run.RaPnt, DecPnt = run.DecPnt };
        var e = Assert.Throws<FitsException>(() => BackgroundModelBuilder.Build(broken, [broken], new BackgroundModelOptions()));
        Assert.Contains("missing.fits", e.Message);
    }
}
