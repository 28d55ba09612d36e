using System.Diagnostics;
using System.Text;
using GammapyTools.Config;
using GammapyTools.Sky;

namespace GammapyTools.Tests.Config;

/// <summary>Hostile or absurd configs stop with a ConfigException (line and column where known) before any work.</summary>
public class ConfigLimitsTests
{
    [Fact]
    public void Deep_nesting_is_refused_with_its_position_instead_of_overflowing_the_stack()
    {
        // 30,000 levels (60 KB) killed the process with a stack overflow.
        string yaml = "a: " + new string('[', 30_000) + new string(']', 30_000) + "\n";
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse(yaml, nameForErrors: "deep.yaml"));
        Assert.Equal(1, e.Line);
        Assert.Equal(3 + GammapyToolsConfig.MaxDepth, e.Column); // the root mapping is level 1
        Assert.Contains("deeper than 64", e.Message);

        var block = new StringBuilder();
        for (int i = 0; i < 100; i++) block.Append(new string(' ', 2 * i)).Append("k").Append(i).Append(":\n");
        var b = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse(block.ToString()));
        Assert.Equal(GammapyToolsConfig.MaxDepth + 1, b.Line);
        // 64 levels are fine.
        GammapyToolsConfig.Parse("x: " + new string('[', 63) + new string(']', 63) + "\n");
    }

    [Fact]
    public void Alias_expansion_is_bounded()
    {
        // "Billion laughs": 3 KB that expand to 9^9 nodes (ran for minutes and gigabytes).
        var yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'j'; c++)
            yaml.Append(c).Append(": &").Append(c).Append(" [").Append(string.Join(", ", Enumerable.Repeat("*" + (char)(c - 1), 9))).Append("]\n");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse(yaml.ToString(), nameForErrors: "laughs.yaml"));
        Assert.True(watch.Elapsed.TotalSeconds < 5, $"{watch.Elapsed}");
        Assert.Contains("expands to more than", e.Message);
        Assert.True(e.Line > 1);
        // A few aliases, as people use them, are fine.
        var ok = GammapyToolsConfig.Parse("background_selection:\n  bright_sources: &b [Crab, Mrk 421]\nexclusion:\n  other: *b\n");
        Assert.NotNull(ok);
    }

    [Theory]
    [InlineData("background_selection", "n_mimic", "100000")]
    [InlineData("background_selection", "n_mimic", "0")]
    [InlineData("binning", "e_bins", "-1")]
    [InlineData("binning", "off_bins", "0")]
    [InlineData("binning", "e_min", "0")]
    [InlineData("background_selection", "nsb_diff", "1e400")]
    [InlineData("background_selection", "nsb_diff", ".nan")]
    [InlineData("background_selection", "az_diff", "-5")]
    [InlineData("background_selection", "time_request", "0")]
    public void Numbers_out_of_range_are_refused_where_they_are_written(string section, string key, string value)
    {
        string yaml = $"io:\n  out_dir: out\n{section}:\n  {key}: {value}\n";
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse(yaml, nameForErrors: "c.yaml"));
        Assert.Equal(4, e.Line);
        Assert.Equal($"{section}.{key}", e.Key);
        // Set from PowerShell or C#: refused as well.
        var cfg = GammapyToolsConfig.CreateDefault();
        Assert.Throws<ConfigException>(() => cfg.Section(section).Set(key, GammapyTools.Config.ConfigValues.ResolvePlain(value)));
    }

    [Fact]
    public void Lower_bounds_above_upper_bounds_are_refused_by_Validate()
    {
        var cfg = GammapyToolsConfig.Parse("binning:\n  e_min: 10\n  e_max: 1\n");
        var e = Assert.Throws<ConfigException>(cfg.Validate);
        Assert.Contains("binning.e_min = 10.0 must be less than binning.e_max = 1.0", e.Message);
        GammapyToolsConfig.CreateDefault().Validate();
        Assert.Equal(1000, ConfigSchema.MaxMimicDatasets);
    }

    [Fact]
    public void A_bad_run_list_item_is_named_and_an_empty_run_list_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse("run_selection:\n  runlist: [64080, abc, 64082]\n", nameForErrors: "c.yaml"));
        Assert.Contains("item 2 of the run list, the string 'abc', is not an OBS_ID", e.Message);
        Assert.Equal(2, e.Line);

        var empty = GammapyToolsConfig.Parse("run_selection:\n  runlist: []\n");
        var none = Assert.Throws<ConfigException>(() => RunListReader.FromConfig(empty));
        Assert.Contains("is empty", none.Message);

        string dir = Support.TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "runs.txt"), "# no runs yet\n\n");
        var fromFile = GammapyToolsConfig.Parse("run_selection:\n  runlist: runs.txt\n", dir);
        Assert.Throws<ConfigException>(() => RunListReader.FromConfig(fromFile));
    }

    [Fact]
    public void A_declination_beyond_90_is_called_out_of_range_not_an_unknown_source()
    {
        var catalogs = CatalogSet.Load([]);
        var e = Assert.Throws<SourceNotFoundException>(() => catalogs.Resolve("83.6 95"));
        Assert.Contains("out of range", e.Message);
        Assert.Contains("Dec 95", e.Message);
        Assert.DoesNotContain("no source named", e.Message);
        var name = Assert.Throws<SourceNotFoundException>(() => catalogs.Resolve("Not A Source"));
        Assert.Contains("no source named", name.Message);
    }
}
