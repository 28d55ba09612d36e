using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Maps;
using GammapyTools.Sky;

namespace GammapyTools.Tests.Maps;

/// <summary>The null test's pure parts: limits, the systematic, the CSV, dataset discovery, overrides.</summary>
public sealed class MimicDatasetCheckTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gpt-nulltest-" + Guid.NewGuid().ToString("N"));

    public MimicDatasetCheckTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static SkyMap Map(double sigma, double mean, double width, int pixels = 100)
    {
        var p = new SkyMapParameters();
        var g = new WcsGeometry(new SkyCoord(83.63, 22.01), 1.0, 0.5);
        int n = g.PixelCount;
        return new SkyMap
        {
            Parameters = p, Geometry = g, Target = g.Center, ObsIds = [1, 2],
            Counts = new double[n], Background = new double[n], Exclusion = new bool[n], Safe = new bool[n], CountsOff = new double[n],
            AcceptanceOff = new double[n], CountsOn = new double[n], Alpha = new double[n], BackgroundOn = new double[n],
            Excess = new double[n], Significance = new double[n],
            SignificanceAtTarget = sigma, OffMean = mean, OffWidth = width, OffPixels = pixels,
        };
    }

    [Fact]
    public void Limits_name_each_failure_with_its_numbers()
    {
        var limits = new NullTestLimits();
        Assert.Empty(limits.Failures(Map(2.9, 0.05, 1.05), judgeTarget: true));
        var failed = limits.Failures(Map(-3.5, 0.12, 0.85, 1234), judgeTarget: true);
        Assert.Equal(3, failed.Count);
        Assert.Equal("|σ at target| = 3.50 ≥ 3", failed[0]);
        Assert.Equal("|off μ| = 0.120 ≥ 0.1", failed[1]);
        Assert.Contains("width 0.850, 1234 pixels", failed[2]);
        // The original's target may hold the source: only the off distribution is judged.
        Assert.Empty(limits.Failures(Map(40, 0.0, 1.0), judgeTarget: false));
        // Not a number is no pass.
        Assert.Equal(3, limits.Failures(Map(double.NaN, double.NaN, double.NaN), judgeTarget: true).Count);
        Assert.Throws<ArgumentException>(() => new NullTestLimits { MaxOffMean = 0 }.Validate());
    }

    [Fact]
    public void Systematic_is_the_sample_standard_deviation()
    {
        Assert.Equal(Math.Sqrt(2.0), MimicDatasetCheckResult.SampleStandardDeviation([1, 3]), 12);
        Assert.Equal(1.0, MimicDatasetCheckResult.SampleStandardDeviation([1, 2, 3]), 12);
        Assert.True(double.IsNaN(MimicDatasetCheckResult.SampleStandardDeviation([1.5])));
    }

    [Fact]
    public void Csv_is_invariant_and_quotes_cells_with_commas()
    {
        var culture = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var row = new MimicDatasetRow { Dataset = "mimic_1", Kind = "mimic", Path = "/a,b", Map = Map(0.5, 0.01, 1.02), Passed = false, Reason = "x; y" };
            string[] lines = MimicDatasetCheck.ToCsv([row]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(string.Join(",", MimicDatasetCheck.CsvColumns), lines[0].TrimEnd('\r'));
            Assert.StartsWith("mimic_1,mimic,\"/a,b\",2,0.5,", lines[1]);
            Assert.Contains(",1.02,", lines[1]);
            Assert.Contains(",False,x; y,", lines[1]);
        }
        finally { Thread.CurrentThread.CurrentCulture = culture; }
    }

    [Fact]
    public void Datasets_are_the_original_store_and_every_indexed_mimic_folder()
    {
        string outDir = Path.Combine(_dir, "out");
        foreach (string d in new[] { "", "mimic_1", "mimic_2", "mimic_10", "mimic_x" }) Directory.CreateDirectory(Path.Combine(outDir, d));
        foreach (string d in new[] { "", "mimic_1", "mimic_10" }) File.WriteAllBytes(Path.Combine(outDir, d, "hdu-index.fits.gz"), []);
        var config = GammapyToolsConfig.Parse("io:\n    out_dir: ./out\n    in_dir: ./in\nrun_selection:\n    runlist: [5, 6]\nbackground_selection:\n    n_mimic: 3\n", _dir);

        var datasets = MimicDatasetCheck.Datasets(config, out var missing);

        Assert.Equal(["original", "mimic_1", "mimic_10"], datasets.Select(d => d.Name));
        Assert.Equal(outDir, datasets[0].Folder);             // indexed by Invoke-MakeBackground: out_dir, not in_dir
        Assert.Equal([5L, 6L], datasets[0].ObsIds!);
        Assert.Null(datasets[1].ObsIds);                     // every run of a mimic store
        Assert.Equal(["mimic_3", "mimic_2"], missing.Select(m => m.Dataset));
        Assert.Contains("n_mimic is 3", missing[0].Error.Message);
        Assert.Contains("Complete-MimicDataset", missing[1].Error.Message);
    }

    [Fact]
    public void Without_an_index_in_out_dir_the_original_is_in_dir()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        Directory.CreateDirectory(Path.Combine(_dir, "in"));
        File.WriteAllBytes(Path.Combine(_dir, "in", "hdu-index.fits"), []);
        var config = GammapyToolsConfig.Parse("io:\n    out_dir: ./out\n    in_dir: ./in\n", _dir);
        var datasets = MimicDatasetCheck.Datasets(config, out var missing);
        Assert.Equal(Path.Combine(_dir, "in"), Assert.Single(datasets).Folder);
        Assert.Null(datasets[0].ObsIds);
        Assert.Empty(missing);
    }

    [Fact]
    public void Overrides_replace_the_config_values_they_set()
    {
        var config = GammapyToolsConfig.Parse("sky_map:\n    map_deg: 3.0\n    theta: 0.1\n    exclusion_regions: [[[84.0, 21.0], 0.2]]\n", _dir);
        var p = MimicDatasetCheck.Parameters(config, new SkyMapOverrides { Theta = 0.2, EnergyMin = 0.7 });
        Assert.Equal(3.0, p.Width);
        Assert.Equal(0.2, p.Theta);
        Assert.Equal(0.7, p.EnergyMin);
        Assert.Single(p.ExclusionRegions);
        var regions = SkyMapOverrides.ParseRegions(["83 22 0.3", "84 21"], 0.25);
        var replaced = new SkyMapOverrides { ExclusionRegions = regions }.ApplyTo(p);
        Assert.Equal([0.3, 0.25], replaced.ExclusionRegions.Select(r => r.Radius));
        Assert.Throws<FormatException>(() => SkyMapOverrides.ParseRegions(["nowhere"], 0.3));
        Assert.Throws<FormatException>(() => SkyMapOverrides.ParseRegions(["83 22 -1"], 0.3));
    }
}
