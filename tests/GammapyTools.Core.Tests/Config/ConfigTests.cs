using GammapyTools.Config;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Config;

public class ConfigTests
{
    // In the style of gammapy-tools' examples/3d_config.yaml and example_config.yaml (comments,
    // empty values, n_tels, 3d_bkg, pos_from_DL3), written for these tests.
    internal const string ExampleYaml = """
        io:
            # where the background runs are
            search_datastore : "store/"
            in_dir : "/data/crab/"
            out_dir : "./out/"
            results_dir: "/data/crab/results/"
            from_run : false
            from_runlist: true
            3d_bkg: true

        binning:
            e_min: 0.1
            e_max: 100
            e_bins: 10
            off_min: 0
            off_max: 3.5
            off_bins: 35

        config:
            njobs : 16

        exclusion:
            star_cat : "./Hipparcos_MAG8_1997.dat"
            exclude_source_name :
            exclude_regions :
                - ["287.10", "6.39", "0.5"]

        background_selection:
            nsb_diff : 1.5
            el_diff : 1
            az_diff : 45
            n_tels : 4
            time_max : 180
            smooth : false
            smooth_sigma : 1
            same_szn : true
            time_request : 50
            KL_DIV: true
            store_KL: false
            bkg_runlist :
                64080 : [65895, 63978]
            questionable:
                - [64081, no_mimic]
                - [64082, large_kl]

        run_selection:
            source_name : "Crab"
            pos_from_DL3: true
            source_ra: 83.6333
            source_dec: 22.0133
            runlist : [ 64080, 64081, 64082, 64083]
            n_tel : 3
            el_min : 30

        spectrum :
            e_min : 0.2
            type : "PL"
            params : [3.45e-11,2.6]

        sky_map:
            exclusion_regions: []
            ring_rin: "0.6 deg"
            truncate: True

        results_file: 'crab_test_results.yaml'
        plot_names: 'crab_test'
        """;

    private static (GammapyToolsConfig Cfg, string Dir, string Path) LoadExample(string yaml = ExampleYaml)
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "analysis.yaml");
        File.WriteAllText(path, yaml);
        return (GammapyToolsConfig.Load(path), dir, path);
    }

    [Fact]
    public void An_example_config_loads_typed_and_without_warnings()
    {
        var (cfg, dir, _) = LoadExample();
        Assert.Empty(cfg.Warnings);
        var bs = (ConfigSection)cfg["background_selection"]!;
        Assert.Equal(1.5, bs["nsb_diff"]);
        Assert.Equal(1.0, bs["el_diff"]);             // written 1, typed as a number
        Assert.IsType<double>(bs["el_diff"]);
        Assert.Equal(4, bs["n_tels"]);
        Assert.Equal(true, bs["same_szn"]);
        Assert.Null(((ConfigSection)cfg["exclusion"]!)["exclude_source_name"]);   // empty value stays empty
        Assert.Equal(16, cfg.Section("config")["njobs"]);
        Assert.Equal(true, cfg.Section("io")["3d_bkg"]);
        Assert.Equal([64080L, 64081L, 64082L, 64083L], ((List<object?>)cfg.Section("run_selection")["runlist"]!).Select(Convert.ToInt64));
        var s = cfg.GetBackgroundSelection();
        Assert.Equal(4, s.NTel);
        Assert.Equal(5, s.NMimic);                     // default
        Assert.True(s.SameSeason);
        Assert.Equal([new QuestionableRun(64081, "no_mimic"), new QuestionableRun(64082, "large_kl")], s.Questionable);
        Assert.Equal(Path.Combine(dir, "store") + "/", cfg.Section("io")["search_datastore"]);
    }

    [Fact]
    public void Load_save_load_gives_the_same_config()
    {
        var (cfg, dir, _) = LoadExample();
        string again = Path.Combine(dir, "again.yaml");
        cfg.Save(again);
        var back = GammapyToolsConfig.Load(again);
        Assert.Empty(back.Warnings);
        Assert.Equal(cfg.ToYaml(), back.ToYaml());
        AssertSameValues(cfg, back);
        // and a second round trip changes nothing
        string third = Path.Combine(dir, "third.yaml");
        back.Save(third);
        Assert.Equal(File.ReadAllText(again), File.ReadAllText(third));
    }

    [Fact]
    public void A_clone_is_deep_and_writes_the_same_yaml()
    {
        var (cfg, dir, _) = LoadExample();
        string before = cfg.ToYaml();
        var copy = cfg.Clone();
        Assert.Equal(before, copy.ToYaml());
        Assert.Equal(cfg.ToYaml(Path.Combine(dir, "sub")), copy.ToYaml(Path.Combine(dir, "sub")));   // relative paths stay relative
        Assert.Equal(cfg.SourcePath, copy.SourcePath);
        AssertSameValues(cfg, copy);
        copy.BackgroundSelectionSection["n_mimic"] = 9;
        ((ConfigSection)copy.BackgroundSelectionSection["bkg_runlist"]!).Set("64080", new List<object?> { 1L });
        ((List<object?>)copy.BackgroundSelectionSection["questionable"]!).Clear();
        copy.AddQuestionable(1, "no_mimic");
        Assert.Equal(before, cfg.ToYaml());
    }

    private static void AssertSameValues(ConfigSection a, ConfigSection b)
    {
        Assert.Equal(a.Entries.Select(e => e.Key), b.Entries.Select(e => e.Key));
        foreach (var (k, v) in a.Entries)
        {
            object? w = b[k];
            if (v is ConfigSection sa) AssertSameValues(sa, Assert.IsAssignableFrom<ConfigSection>(w));
            else Assert.Equal(ConfigValues.Display(v), ConfigValues.Display(w));
            Assert.Equal(v?.GetType(), w?.GetType());
        }
    }

    [Fact]
    public void The_template_round_trips_and_has_the_gammapy_tools_defaults()
    {
        var cfg = GammapyToolsConfig.CreateDefault();
        var s = cfg.GetBackgroundSelection();
        // The template's values as gammapy-tools' get_config() gives them (not docs/config.md's).
        Assert.Equal(1.5, s.NsbDiff);
        Assert.Equal(1.0, s.ElDiff);
        Assert.Equal(45.0, s.AzDiff);
        Assert.Equal(4, s.NTel);
        Assert.Equal(180.0, s.TimeMax);
        Assert.True(s.SameSeason);
        Assert.Equal(50.0, s.TimeRequest);
        Assert.Equal(5, s.NMimic);
        Assert.True(s.KlDiv);
        Assert.False(s.StoreKl);
        Assert.Equal(true, cfg.BackgroundSelectionSection["smooth"]);
        Assert.Equal(1.0, cfg.BackgroundSelectionSection["smooth_sigma"]);
        Assert.Equal(16, cfg.Section("config")["njobs"]);
        Assert.Equal(0.1, cfg.Section("binning")["e_min"]);
        Assert.Equal(10, cfg.Section("binning")["e_bins"]);
        var back = GammapyToolsConfig.Parse(cfg.ToYaml());
        Assert.Empty(back.Warnings);
        AssertSameValues(cfg, back);
    }

    [Theory]
    [InlineData("background_selection", "n_mimc", "background_selection.n_mimic")]      // one letter missing
    [InlineData("background_selection", "nsb_dif", "background_selection.nsb_diff")]
    [InlineData("background_selection", "az_dfif", "background_selection.az_diff")]     // swapped letters
    [InlineData("io", "outdir", "io.out_dir")]
    [InlineData("io", "n_mimic", "background_selection.n_mimic")]                       // right key, wrong section
    [InlineData("", "backgroud_selection", "background_selection")]                    // a misspelt section
    [InlineData("", "binnig", "binning")]
    [InlineData("background_selection", "seed", null)]                                  // nothing close: no guess
    [InlineData("background_selection", "my_cut", null)]
    public void Unknown_names_get_the_closest_known_name(string section, string name, string? expected)
        => Assert.Equal(expected, ConfigSpelling.Suggest(section, name));

    [Fact]
    public void Misspelt_keys_and_sections_are_warned_about_with_did_you_mean_and_strict_mode_refuses_them()
    {
        string yaml = ExampleYaml.Replace("    az_diff : 45", "    az_diff : 45\n    n_mimc : 3") + "\nbinnig:\n    e_bins: 3\n";
        var (cfg, _, file) = LoadExample(yaml);
        Assert.Contains(cfg.Warnings, w => w.Contains("unknown key background_selection.n_mimc; did you mean background_selection.n_mimic?") && w.Contains("line 32, column 5"));
        Assert.Contains(cfg.Warnings, w => w.Contains("unknown section binnig; did you mean binning?"));
        // the misspelt key did not set n_mimic: the default stays, which is why strict mode exists
        Assert.Equal(5, cfg.GetBackgroundSelection().NMimic);
        var unknown = cfg.UnknownKeys();
        Assert.Equal(["background_selection.n_mimc", "binnig"], unknown.Select(u => u.Key));
        var e = Assert.Throws<ConfigException>(cfg.ThrowIfUnknownKeys);
        Assert.Equal(32, e.Line);
        Assert.Equal("background_selection.n_mimc", e.Key);
        Assert.Contains(file, e.Message);
        Assert.Contains("did you mean binning?", e.Message);
        // keys added after loading are found too
        var fresh = GammapyToolsConfig.CreateDefault();
        fresh.Section("io").Set("outdir", "/x");
        Assert.Equal("unknown key io.outdir; did you mean io.out_dir?", Assert.Single(fresh.UnknownKeys()).Message);
        GammapyToolsConfig.CreateDefault().ThrowIfUnknownKeys();   // the template itself is clean
    }

    [Fact]
    public void Unknown_keys_are_kept_and_warned_about()
    {
        string yaml = ExampleYaml.Replace("    az_diff : 45", "    az_diff : 45\n    my_cut : [1, 2.5, \"x\"]").Replace("KL_DIV: true", "kl_div: true")
            + "\nmy_section:\n    deep:\n        a: 1\n";
        var (cfg, dir, _) = LoadExample(yaml);
        Assert.Contains(cfg.Warnings, w => w.Contains("unknown key background_selection.my_cut") && w.Contains("line 32, column 5"));
        Assert.Contains(cfg.Warnings, w => w.Contains("background_selection.kl_div") && w.Contains("did you mean background_selection.KL_DIV"));
        Assert.Contains(cfg.Warnings, w => w.Contains("unknown section my_section"));
        string saved = Path.Combine(dir, "saved.yaml");
        cfg.Save(saved);
        string text = File.ReadAllText(saved);
        Assert.Contains("my_cut: [1, 2.5, \"x\"]", text);
        Assert.Contains("my_section:\n    deep:\n        a: 1", text.ReplaceLineEndings("\n"));
        var back = GammapyToolsConfig.Load(saved);
        AssertSameValues(cfg, back);
    }

    [Fact]
    public void N_tel_and_n_tels_are_both_accepted()
    {
        var a = GammapyToolsConfig.Parse("background_selection:\n    n_tel: 3\n");
        var b = GammapyToolsConfig.Parse("background_selection:\n    n_tels: 2\n");
        Assert.Empty(a.Warnings);
        Assert.Empty(b.Warnings);
        Assert.Equal(3, a.GetBackgroundSelection().NTel);
        Assert.Equal(2, b.GetBackgroundSelection().NTel);
        // the spelling of the file is kept on save
        Assert.Contains("n_tel: 3", a.ToYaml());
        Assert.Contains("n_tels: 2", b.ToYaml());
        var both = GammapyToolsConfig.Parse("background_selection:\n    n_tel: 3\n    n_tels: 4\n");
        Assert.Contains(both.Warnings, w => w.Contains("n_tel = 3 and n_tels = 4"));
    }

    [Fact]
    public void Broken_yaml_gives_line_and_column()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "broken.yaml");
        File.WriteAllText(path, "io:\n    in_dir: \"/data\"\nbinning:\n    e_min: [0.1, 0.2\n    e_max: 100\n");
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Load(path));
        Assert.True(e.Line >= 4, e.Message);
        Assert.True(e.Column > 0, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains($"line {e.Line}, column {e.Column}", e.Message);
        Assert.Contains("not valid YAML", e.Message);

        File.WriteAllText(path, "io:\n    in_dir: \"/data\"\n  out_dir: x\n");
        var bad = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Load(path));
        Assert.Equal(3, bad.Line);
        Assert.Contains("line 3, column", bad.Message);

        File.WriteAllText(path, "io:\n    in_dir: \"/data\n");
        Assert.True(Assert.Throws<ConfigException>(() => GammapyToolsConfig.Load(path)).Line >= 2);
    }

    [Fact]
    public void A_wrong_type_names_the_key_the_expected_type_and_the_place()
    {
        var e = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse("io:\n    from_run: false\nbackground_selection:\n    n_mimic: five\n", null, "x.yaml"));
        Assert.Equal("background_selection.n_mimic", e.Key);
        Assert.Equal(4, e.Line);
        Assert.Equal(14, e.Column);
        Assert.Contains("expected an integer, got the string 'five'", e.Message);

        var e2 = Assert.Throws<ConfigException>(() => GammapyToolsConfig.Parse("background_selection:\n    smooth: 3\n"));
        Assert.Contains("background_selection.smooth: expected true or false", e2.Message);

        // the same check when a value is set from code (or PowerShell)
        var cfg = GammapyToolsConfig.CreateDefault();
        var e3 = Assert.Throws<ConfigException>(() => cfg.Section("background_selection")["nsb_diff"] = "high");
        Assert.Contains("background_selection.nsb_diff: expected a number", e3.Message);
        cfg.Section("background_selection")["N_MIMIC"] = 3L;      // case-insensitive, converted to int
        Assert.Equal(3, cfg.Section("background_selection")["n_mimic"]);
        Assert.Contains("n_mimic: 3", cfg.ToYaml());
    }

    [Fact]
    public void Missing_required_paths_are_errors_naming_the_key()
    {
        var cfg = GammapyToolsConfig.Parse("io:\n    in_dir: \"/data\"\n");
        var e = Assert.Throws<ConfigException>(() => cfg.RequirePath("io", "search_datastore"));
        Assert.Contains("io.search_datastore is required", e.Message);
        var e2 = Assert.Throws<ConfigException>(() => cfg.RequirePath("io", "in_dir", mustExist: true));
        Assert.Contains("does not exist", e2.Message);
        Assert.Equal("/data", cfg.RequirePath("io", "in_dir"));
    }

    [Fact]
    public void Relative_paths_are_relative_to_the_config_file_and_stay_relative()
    {
        var (cfg, dir, _) = LoadExample();
        var io = cfg.Section("io");
        Assert.Equal(Path.Combine(dir, "out") + "/", io["out_dir"]);
        Assert.Equal(Path.Combine(dir, "Hipparcos_MAG8_1997.dat"), cfg.Section("exclusion")["star_cat"]);
        Assert.Equal("/data/crab/", io["in_dir"]);    // absolute stays absolute

        // saved in a sub-folder: still pointing at the same places
        string sub = Path.Combine(dir, "sub", "deeper");
        string saved = Path.Combine(sub, "copy.yaml");
        cfg.Save(saved);
        string text = File.ReadAllText(saved);
        Assert.Contains("search_datastore: \"../../store/\"", text);
        Assert.Contains("in_dir: \"/data/crab/\"", text);
        var back = GammapyToolsConfig.Load(saved);
        Assert.Equal(io["search_datastore"], back.Section("io")["search_datastore"]);
        Assert.Equal(io["out_dir"], back.Section("io")["out_dir"]);

        // a path changed by the user is written as given
        io["out_dir"] = "/elsewhere/out";
        cfg.Save(saved, overwrite: true);
        Assert.Contains("out_dir: \"/elsewhere/out\"", File.ReadAllText(saved));
    }

    [Fact]
    public void Save_refuses_to_replace_without_overwrite_and_leaves_no_temporary_file()
    {
        var (cfg, dir, path) = LoadExample();
        string before = File.ReadAllText(path);
        Assert.Throws<ConfigException>(() => cfg.Save(path));
        Assert.Equal(before, File.ReadAllText(path));
        cfg.Save(path, overwrite: true);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Questionable_runs_are_added_as_obs_id_reason_pairs()
    {
        var cfg = GammapyToolsConfig.CreateDefault();
        cfg.AddQuestionable(64080, "no_mimic");
        cfg.AddQuestionable(64081, "large_kl");
        cfg.AddQuestionable(64080, "large_kl");
        Assert.Equal([new QuestionableRun(64081, "large_kl"), new QuestionableRun(64080, "large_kl")], cfg.Questionable);
        string yaml = cfg.ToYaml();
        Assert.Contains("- [64081, \"large_kl\"]", yaml);
        Assert.Equal(cfg.Questionable, GammapyToolsConfig.Parse(yaml).Questionable);
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100.0")]
    [InlineData(3.48e-11, "3.48e-11")]
    [InlineData(1e20, "1.0e+20")]
    public void Doubles_are_written_as_pyyaml_floats(double value, string text)
    {
        Assert.Equal(text, ConfigValues.FormatDouble(value));
        Assert.Equal(value, ConfigValues.ResolvePlain(text));
    }
}
