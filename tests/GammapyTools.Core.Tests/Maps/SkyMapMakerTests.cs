using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Maps;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Maps;

/// <summary>The pieces of the sky-map maker, and what a bad run or bad parameters give.</summary>
public sealed class SkyMapMakerTests
{
    private static readonly SkyCoord Crab = new(83.6333, 22.0145);

    private static List<Run> HessCrabRuns() =>
        Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList();

    private static SkyMapParameters Crab07 => new() { Position = Crab, EnergyMin = 0.7, Width = 4, RingInnerRadius = 0.6, RingWidth = 0.133, Theta = 0.0894 };

    [Fact]
    public void LiMaMatchesTheFormulaAndItsLimits()
    {
        // Li & Ma eq. 17 written out, for a few cases; and the corner cases n_on = 0, n_off = 0.
        static double LiMa(double on, double off, double a) => Math.Sign(on - a * off) * Math.Sqrt(2 * (on * Math.Log((1 + a) / a * on / (on + off)) + off * Math.Log((1 + a) * off / (on + off))));
        Assert.Equal(LiMa(30, 100, 0.1), WStat.Significance(30, 100, 0.1), 12);
        Assert.Equal(LiMa(5, 100, 0.1), WStat.Significance(5, 100, 0.1), 12);
        Assert.True(WStat.Significance(5, 100, 0.1) < 0);
        Assert.Equal(-Math.Sqrt(2 * 100 * Math.Log(1.1)), WStat.Significance(0, 100, 0.1), 12);
        Assert.Equal(Math.Sqrt(2 * 10 * Math.Log(1.1 / 0.1)), WStat.Significance(10, 0, 0.1), 12);
        Assert.Equal(0, WStat.Significance(0, 0, 0.1));
        Assert.True(double.IsNaN(WStat.Significance(10, 10, double.NaN)));
    }

    [Fact]
    public void FastEnergyIntegralIsGammapysLogLogTrapezoid()
    {
        // A bkg_2d with a falling spectrum and a hole (a zero bin) inside the energy axis.
        double[] e = [0.1, 0.3, 1, 3, 10, 30, 100];
        double[] off = [0, 0.5, 1, 1.5, 2, 2.5];
        var data = new double[6, 5];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 5; j++) data[i, j] = i == 2 ? 0 : 1e-3 * Math.Pow(Math.Sqrt(e[i] * e[i + 1]), -2.7) * Math.Exp(-j * 0.3);
        var rate = BackgroundRate.From(new Background2D(e, off, data));
        double[] edges = [0.5, 0.8, 1.3, 2, 5, 9, 40];
        var integrator = rate.ForEnergyEdges(edges);
        // The batched, four-lane integral against gammapy's formula written out, also outside the
        // axes (0) and for a count that is not a multiple of four.
        double[] offsets = [0.0, 0.1, 0.77, 2.4, 2.6, 2.99, 3.5, -0.2, 1.234];
        var batch = new double[offsets.Length];
        integrator.IntegrateMany(offsets, offsets, batch);
        for (int i = 0; i < offsets.Length; i++)
        {
            double offset = offsets[i], expected = 0;
            for (int k = 0; k + 1 < edges.Length; k++)
                expected += BackgroundRate.IntegrateLogLog(edges[k], edges[k + 1], rate.Evaluate(edges[k], offset), rate.Evaluate(edges[k + 1], offset));
            Assert.Equal(expected, batch[i], expected * 1e-12);
            if (offset is >= 0 and < 3) Assert.True(expected > 0, $"offset {offset}: padding keeps the edge bins' rate");
        }
        // The hole is filled from its neighbours in log(rate) (interp_missing_data): the geometric mean.
        double filled = rate.Evaluate(Math.Sqrt(1 * 3), 0.25) / 1e6;
        Assert.Equal(Math.Sqrt(data[1, 0] * data[3, 0]), filled, filled * 1e-9);
        // Beyond the padded offset axis (2.5 + one bin) and outside the energy axis: nothing.
        var beyond = new double[1];
        integrator.IntegrateMany([3.01], [0.0], beyond);
        Assert.Equal(0, beyond[0]);
        Assert.Equal(0, rate.Evaluate(200, 0.5));
    }

    [Fact]
    public void VectorExpIsExpToAFewUlp()
    {
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double x = rng.NextDouble() * 1400 - 700;
            var v = GammapyTools.Sky.VectorMath.Exp(System.Runtime.Intrinsics.Vector256.Create(x, -x * 0.01, x * 1e-3, 0));
            Assert.Equal(Math.Exp(x), v[0], Math.Exp(x) * 4e-16);
            Assert.Equal(Math.Exp(-x * 0.01), v[1], Math.Exp(-x * 0.01) * 4e-16);
            Assert.Equal(Math.Exp(x * 1e-3), v[2], Math.Exp(x * 1e-3) * 4e-16);
            Assert.Equal(1.0, v[3]);
        }
    }

    [Fact]
    public void CrabIsDetectedAndTheSameRunsGiveTheSameBits()
    {
        var runs = HessCrabRuns();
        var a = SkyMapMaker.Make(runs, Crab07);
        var b = SkyMapMaker.Make(runs.AsEnumerable().Reverse().ToList(), Crab07);
        Assert.True(a.SignificanceAtTarget > 10, $"σ at the Crab {a.SignificanceAtTarget}");
        Assert.Equal(2, a.RunCount);
        // Runs are made in parallel but stacked in order: two runs give the same bits either way.
        Assert.Equal(a.Significance, b.Significance);
        Assert.InRange(a.OffMean, -0.3, 0.3);
        Assert.InRange(a.OffWidth, 0.8, 1.2);
        Assert.True(a.OffPixels > 10_000);
        Assert.NotNull(a.MaxOffPosition);
        Assert.True(Math.Abs(a.MaxOffSignificance) >= Math.Abs(a.OffSignificances().Max()) - 1e-12);
        Assert.Equal(a.OffPixels, a.OffSignificances().Length);
    }

    [Fact]
    public void ARunWithoutBackgroundIsReportedAndTheOthersAreMapped()
    {
        var runs = HessCrabRuns();
        string dir = TestPaths.NewTempDir();
        string noBkg = Path.Combine(dir, "no_bkg.fits");
        using (var f = FitsFile.Open(runs[0].Path))
            FitsWriter.Write(noBkg, f.ReadAll().Where(h => h.Name != "BKG"));
        var bad = Run.FromFile(noBkg);
        var errors = new List<(Run Run, Exception Error)>();
        var map = SkyMapMaker.Make([bad, runs[1]], Crab07, (r, e) => errors.Add((r, e)));
        var (run, error) = Assert.Single(errors);
        Assert.Same(bad, run);
        Assert.Contains("no background model", error.Message);
        Assert.Contains("Invoke-MakeBackground", error.Message);
        Assert.Contains(bad.ObsId.ToString(), error.Message);
        Assert.Equal([runs[1].ObsId], map.ObsIds);
    }

    [Fact]
    public void PointLikeRunsGiveAClearError()
    {
        var magic = Directory.GetFiles(TestPaths.Data("magic-rad-max"), "*.fits").Order().Select(Run.FromFile).ToList();
        var errors = new List<Exception>();
        var e = Assert.Throws<SkyMapException>(() => SkyMapMaker.Make(magic, Crab07, (_, x) => errors.Add(x)));
        Assert.Contains("none of the 2 run(s)", e.Message);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, x => Assert.Contains("point-like", x.Message));
    }

    [Fact]
    public void RunsFarFromTheTargetAndEnergiesWithoutBackgroundAreReported()
    {
        var runs = HessCrabRuns();
        var errors = new List<string>();
        // A map 30° away from the Crab: no run has anything on it.
        Assert.Throws<SkyMapException>(() => SkyMapMaker.Make(runs, Crab07 with { Position = new SkyCoord(120, 22) }, (_, x) => errors.Add(x.Message)));
        Assert.Equal(2, errors.Count);
        Assert.All(errors, m => Assert.Contains("none of its field of view", m));
        errors.Clear();
        // Above the models' energy axis (DR1 models end at 100 TeV).
        Assert.Throws<SkyMapException>(() => SkyMapMaker.Make(runs, Crab07 with { EnergyMin = 200, EnergyMax = 300 }, (_, x) => errors.Add(x.Message)));
        Assert.All(errors, m => Assert.Contains("predicts nothing between 200 and 300 TeV", m));
        errors.Clear();
        // Run 23526's most energetic event has 84.9 TeV: its model predicts events above 90 TeV, it has none.
        Assert.Throws<SkyMapException>(() => SkyMapMaker.Make([runs[1]], Crab07 with { EnergyMin = 90, EnergyMax = 100 }, (_, x) => errors.Add(x.Message)));
        Assert.Contains("no events between 90 and 100 TeV", Assert.Single(errors));
    }

    [Fact]
    public void BadParametersNameWhatIsWrong()
    {
        var runs = HessCrabRuns();
        var e = Assert.Throws<ArgumentException>(() => SkyMapMaker.Make(runs, Crab07 with { Width = 1.2 }));
        Assert.Contains("does not fit inside the 1.2° map", e.Message);
        Assert.Throws<ArgumentException>(() => SkyMapMaker.Make(runs, Crab07 with { EnergyMin = 10, EnergyMax = 1 }));
        Assert.Throws<ArgumentException>(() => SkyMapMaker.Make(runs, Crab07 with { Theta = 0 }));
        Assert.Throws<SkyMapException>(() => SkyMapMaker.Make([], Crab07));
    }

    [Fact]
    public void GeometryIsGammapysWcsGeomCreate()
    {
        var g = new WcsGeometry(Crab, 4, 0.02);
        Assert.Equal(200, g.NX);
        Assert.Equal(100.5, g.CrPix1);
        // The centre is a pixel corner; the pixel of higher index holds it.
        Assert.Equal((100, 100), g.PixelOf(Crab));
        var (x, y) = g.WorldToPixel(g.PixelToWorld(17.25, 150.5));
        Assert.Equal(17.25, x, 9);
        Assert.Equal(150.5, y, 9);
        // RA grows to the left.
        Assert.True(g.PixelToWorld(0, 100).Ra > g.PixelToWorld(199, 100).Ra);
        // Solid angles: about binsz² in sr, slightly less away from the tangent point.
        var omega = g.SolidAngles();
        double nominal = Math.Pow(0.02 * Math.PI / 180, 2);
        Assert.InRange(omega[g.Index(100, 100)], nominal * 0.9999, nominal * 1.0001);
        Assert.True(omega[g.Index(0, 0)] < omega[g.Index(100, 100)]);
        Assert.Equal(3, new WcsGeometry(Crab, 0.06, 0.02).NX);
    }

    [Fact]
    public void ExclusionRegionsAndCatalogSourcesAreLeftOutOfTheRing()
    {
        var runs = HessCrabRuns();
        var zeta = new SkyCoord(84.41, 21.14);   // ζ Tau, a bright star 1.1° from the Crab
        var plain = SkyMapMaker.Make(runs, Crab07);
        var user = SkyMapMaker.Make(runs, Crab07 with { ExclusionRegions = [new GammapyTools.Background.ExclusionRegion(zeta, 0.3)] });
        var catalogs = CatalogSet.Load([TestPaths.Data("catalogs", "gammacat.fits.gz"), TestPaths.Data("catalogs", "Hipparcos_MAG8_1997.dat")]);
        var known = SkyMapMaker.Make(runs, Crab07 with { CatalogExclusions = new GammapyTools.Background.ExclusionOptions { Catalogs = catalogs, StarRadius = 0.3 } });
        int Excluded(SkyMap m) => m.Exclusion.Count(e => !e);
        Assert.True(Excluded(user) > Excluded(plain));
        var zetaPixel = plain.Geometry.PixelOf(zeta)!.Value;
        int at = plain.Geometry.Index(zetaPixel.X, zetaPixel.Y);
        Assert.True(plain.Exclusion[at]);
        Assert.False(user.Exclusion[at]);
        Assert.False(known.Exclusion[at]);   // ζ Tau is in the Hipparcos list
        Assert.Contains(known.Parameters.ExclusionRegions, r => r.Name is { } n && n.StartsWith("HIP", StringComparison.Ordinal));
        Assert.True(user.OffPixels < plain.OffPixels);
    }
}
