using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Dl3;

public class BackgroundTests(ITestOutputHelper output)
{
    internal static Background2D Sample()
    {
        var energy = Enumerable.Range(0, 7).Select(i => 0.1 * Math.Pow(10, i * 0.5)).ToArray();
        var offset = Enumerable.Range(0, 6).Select(i => i * 0.5).ToArray();
        var data = new double[6, 5];
        for (int e = 0; e < 6; e++)
            for (int o = 0; o < 5; o++) data[e, o] = 1e-3 * Math.Pow(energy[e], -2.7) * Math.Exp(-o * 0.3) * (1 + 0.01 * e * o);
        return new Background2D(energy, offset, data);
    }

    [Fact]
    public void Background2D_round_trips_through_a_file()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "bkg.fits");
        var bkg = Sample();
        FitsWriter.Write(path, [bkg.ToHdu()]);
        using var f = FitsFile.Open(path);
        var info = f.Find(h => HduClassifier.Classify(h) is ("bkg", "bkg_2d"))!;
        var back = Background2D.FromHdu(f.ReadTable(info));
        Assert.Equal(bkg.EnergyEdges, back.EnergyEdges);   // edges are written in double
        for (int e = 0; e < bkg.EnergyBins; e++)
            for (int o = 0; o < bkg.OffsetBins; o++) Assert.Equal((float)bkg.Data[e, o], back.Data[e, o]);
    }

    [SkippableFact]
    public void Gammapy_reads_our_Background2D_and_the_hess_Background3D_as_we_do()
    {
        Oracles.Require(Oracle.Gammapy);
        string dir = TestPaths.NewTempDir();
        string path2d = Path.Combine(dir, "bkg2d.fits");
        FitsWriter.Write(path2d, [Sample().ToHdu()]);
        var ours2d = Background2D.FromHdu(ReadBkg(path2d));

        string hess = Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().First();
        var ours3d = Background3D.FromHdu(ReadBkg(hess));
        string path3d = Path.Combine(dir, "bkg3d.fits");
        FitsWriter.Write(path3d, [ours3d.ToHdu()]);

        // The script prints gammapy's data arrays in C order ([energy, offset] and [energy, lon, lat]).
        var (code, text) = Oracles.RunPython("background_values.py", path2d, hess, path3d);
        Assert.True(code == 0, text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        double[] Parse(string prefix) => lines.Single(l => l.StartsWith(prefix)).Split(' ')[1..].Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Flat(ours2d.Data), Parse("bkg2d"));
        Assert.Equal(Flat(ours3d.Data), Parse("hess3d"));
        Assert.Equal(Flat(ours3d.Data), Parse("ours3d")); // what we write, gammapy reads the same way
    }

    private static BinaryTableHdu ReadBkg(string path)
    {
        using var f = FitsFile.Open(path);
        return f.ReadTable(f.Find(h => HduClassifier.Classify(h) is ("bkg", _))!);
    }

    private static double[] Flat(Array a) => a.Cast<double>().Select(x => (double)(float)x).ToArray();
}
