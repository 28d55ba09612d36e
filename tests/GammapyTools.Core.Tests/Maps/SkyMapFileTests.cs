using System.Text.Json;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Maps;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Maps;

/// <summary>The sky-map FITS file against fitsverify, astropy and gammapy; the PNG is drawn.</summary>
public sealed class SkyMapFileTests
{
    private static readonly Lazy<SkyMap> CrabMap = new(() => SkyMapMaker.Make(
        Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().Select(Run.FromFile).ToList(),
        new SkyMapParameters { EnergyMin = 0.7, Width = 3, ExclusionRegions = [new GammapyTools.Background.ExclusionRegion(new SkyCoord(84.41, 21.14), 0.3, "zeta Tau")] }));

    [SkippableFact]
    public void FileIsValidFitsThatAstropyAndGammapyReadWithTheSameNumbersAndWcs()
    {
        var map = CrabMap.Value;
        string path = Path.Combine(TestPaths.NewTempDir(), "crab.fits");
        Assert.Equal(path, SkyMapFile.Write(path, map));
        Assert.Throws<FitsException>(() => SkyMapFile.Write(path, map));   // no replacing without overwrite
        SkyMapFile.Write(path, map, overwrite: true);

        // Our own reader first: every image round-trips bit for bit.
        using (var f = FitsFile.Open(path))
            foreach (string name in SkyMapFile.ImageNames)
            {
                var image = f.ReadImage(f.Find(name)!);
                Assert.Equal([map.Geometry.NX, map.Geometry.NY], image.Axes);
                Assert.Equal(SkyMapFile.Values(map, name), (double[])image.Data!);
            }

        Oracles.Require(Oracle.FitsVerify);
        var (errors, warnings, report) = Oracles.Verify(path);
        Assert.True(errors == 0 && warnings == 0, report);

        Oracles.Require(Oracle.Gammapy);
        (double X, double Y)[] pixels = [(0, 0), (74.5, 75), (149, 0), (12.25, 140.75)];
        var (code, text) = Oracles.RunPython("read_skymap.py", [path, .. pixels.SelectMany(p => new[] { p.X.ToString("R"), p.Y.ToString("R") })]);
        Assert.True(code == 0, text);
        using var json = JsonDocument.Parse(text.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        var images = root.GetProperty("images");
        foreach (string name in SkyMapFile.ImageNames)
        {
            var values = SkyMapFile.Values(map, name);
            var img = images.GetProperty(name);
            Assert.Equal([map.Geometry.NY, map.Geometry.NX], img.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(values.Count(double.IsFinite), img.GetProperty("finite").GetInt32());
            double sum = values.Where(double.IsFinite).Sum();
            Assert.Equal(sum, img.GetProperty("sum").GetDouble(), Math.Max(Math.Abs(sum), 1) * 1e-9);
        }
        var world = root.GetProperty("world").EnumerateArray().ToList();
        for (int i = 0; i < pixels.Length; i++)
        {
            var ours = map.Geometry.PixelToWorld(pixels[i].X, pixels[i].Y);
            var theirs = new SkyCoord(world[i][0].GetDouble(), world[i][1].GetDouble());
            Assert.True(ours.SeparationTo(theirs) < 1e-9, $"pixel {pixels[i]}: ours {ours}, astropy {theirs}");
        }
        Assert.Equal(map.ObsIds, root.GetProperty("runs").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(map.SignificanceAtTarget, root.GetProperty("sig_tgt").GetDouble(), 9);
        var g = root.GetProperty("gammapy");
        Assert.Equal(map.Target.Ra, g.GetProperty("ra").GetDouble(), 9);
        Assert.Equal(map.Target.Dec, g.GetProperty("dec").GetDouble(), 9);
        Assert.Equal([map.Geometry.NX, map.Geometry.NY], g.GetProperty("npix").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(map.Geometry.BinSize, g.GetProperty("binsz").GetDouble(), 12);
        Assert.Equal("icrs", g.GetProperty("frame").GetString());
        Assert.Equal(map.Significance.Where(double.IsFinite).Sum(), g.GetProperty("sum").GetDouble(), 6);
    }

    [Fact]
    public void PlotHasTheRequestedSizeAndIsNotBlank()
    {
        var map = CrabMap.Value;
        string path = Path.Combine(TestPaths.NewTempDir(), "crab.png");
        Assert.Equal(path, SkyMapPlot.Write(path, map, "Crab, 2 H.E.S.S. runs", 1600, 1000, overwrite: false));
        Assert.Throws<IOException>(() => SkyMapPlot.Write(path, map, "again", 1600, 1000, overwrite: false));
        using var bitmap = SkiaSharp.SKBitmap.Decode(path);
        Assert.Equal(1600, bitmap.Width);
        Assert.Equal(1000, bitmap.Height);
        // Each quarter (significance, excess, alpha, histogram) holds many colours, not a blank panel.
        foreach (var (x0, y0) in new[] { (0, 0), (800, 0), (0, 500), (800, 500) })
        {
            var colours = new HashSet<uint>();
            for (int y = y0 + 50; y < y0 + 450; y += 3)
                for (int x = x0 + 50; x < x0 + 750; x += 3) colours.Add((uint)bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"panel at ({x0}, {y0}) has {colours.Count} colours");
        }
    }
}
