using GammapyTools.Background;
using GammapyTools.Cluster;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Output;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

/// <summary>The config-driven workflow: prepare the run list, then make backgrounds from matched runs.</summary>
public class BackgroundMakerTests(ITestOutputHelper output)
{
    private static (GammapyToolsConfig Config, IReadOnlyList<Run> Search) Setup(bool fromRun = false)
    {
        string root = TestPaths.NewTempDir();
        var search = DataStoreSimulator.Create(Path.Combine(root, "search"), new SimulationOptions { RunCount = 24, Seed = 8, EventsPerRun = 3000 });
        var targets = search.Where(r => r.NTels == 4).Take(3).Select(r => (object?)r.ObsId).ToList();
        targets.Add(99999L); // not in the store
        string yaml = $"""
            io:
              search_datastore: search
              in_dir: in
              out_dir: out
              from_run: {(fromRun ? "true" : "false")}
            binning:
              e_min: 0.1
              e_max: 100
              e_bins: 10
              off_min: 0.0
              off_max: 2.5
              off_bins: 5
            background_selection:
              nsb_diff: 20
              el_diff: 5
              az_diff: 180
              time_max: 100000
              time_request: 1.5
              smooth: false
              KL_DIV: true
              store_KL: true
            run_selection:
              runlist: [{string.Join(", ", targets)}]
            """;
        string path = Path.Combine(root, "analysis.yaml");
        File.WriteAllText(path, yaml);
        return (GammapyToolsConfig.Load(path), search);
    }

    private static readonly MakeBackgroundOptions NoCatalogs = new() { CatalogPaths = [] };

    [Fact]
    public void Prepare_copies_the_run_list_and_reports_missing_runs()
    {
        var (config, search) = Setup();
        var result = DatasetPreparer.Prepare(config);
        Assert.Equal([99999L], result.Missing);
        Assert.Equal(3, result.Runs.Count);
        Assert.Equal(3, result.Copied);
        Assert.Equal([99999L], ((List<object?>)config.Section("run_selection").Get("missing_runs")!).Select(Convert.ToInt64));
        foreach (var run in result.Runs)
            Assert.Equal(File.ReadAllBytes(search.Single(s => s.ObsId == run.ObsId).Path), File.ReadAllBytes(run.Path));
        Assert.Equal(0, DatasetPreparer.Prepare(config).Copied); // a rerun copies nothing
    }

    [SkippableFact]
    public void Make_background_from_matched_runs_records_them_and_is_reproducible()
    {
        var (config, _) = Setup();
        DatasetPreparer.Prepare(config);
        var results = BackgroundMaker.Run(config, NoCatalogs);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(3, results.Count);
        foreach (var r in results)
        {
            output.WriteLine($"run {r.ObsId}: {r.BackgroundRuns.Count} runs, {r.Hours:0.00} h; {string.Join("; ", r.Warnings)}");
            Assert.DoesNotContain(r.ObsId, r.BackgroundRuns);
            Assert.True(r.Hours >= 1.5 || r.Warnings.Any(w => w.Contains("requested")), "a shortfall must be reported");
            Assert.Equal("bkg_2d", r.Output!.BackgroundClass);
            Assert.True(File.Exists(Path.Combine(config.RequirePath("io", "out_dir"), $"{r.ObsId}_kl.fits")));
        }
        var recorded = (ConfigSection)config.BackgroundSelectionSection.Get("bkg_runlist")!;
        Assert.Equal(results.Select(r => r.ObsId.ToString()).Order(), recorded.Entries.Select(e => e.Key).Order());

        var store = DataStore.Open(config.RequirePath("io", "out_dir"));
        Assert.Equal(results.Select(r => r.ObsId).Order(), store.ObsIds);
        var bytes = results.ToDictionary(r => r.ObsId, r => File.ReadAllBytes(r.Output!.Path));

        // The same config again, rebuilding everything: identical files.
        var again = BackgroundMaker.Run(config, NoCatalogs with { Overwrite = true });
        foreach (var r in again) Assert.Equal(bytes[r.ObsId], File.ReadAllBytes(r.Output!.Path));

        Oracles.Require(Oracle.Gammapy);
        var (code, text) = Oracles.RunPython("load_datastore.py", config.RequirePath("io", "out_dir"));
        Assert.True(code == 0, text);
        Assert.Contains("loaded 3 observation(s)", text);
    }

    [Fact]
    public void Two_shards_then_Complete_give_the_store_of_one_unsharded_run_and_cancellation_leaves_nothing_partial()
    {
        var (config, _) = Setup();
        DatasetPreparer.Prepare(config);
        string path = config.SourcePath!;
        // The same campaign into two more out_dirs (the KL tables go there too: store_KL).
        GammapyToolsConfig Variant(string outDir)
        {
            var c = GammapyToolsConfig.Load(path);
            c.Section("io").Set("out_dir", outDir);
            return c;
        }
        string root = Path.GetDirectoryName(path)!;
        string wholeOut = Path.Combine(root, "whole"), shardOut = Path.Combine(root, "sharded");
        BackgroundMaker.Run(Variant(wholeOut), NoCatalogs);

        var before = BackgroundMaker.Complete(Variant(shardOut), NoCatalogs, shardCount: 2);
        Assert.False(before.Completed);
        Assert.Equal(3, before.Missing.Count);

        // Shard 1/2, cancelled before it starts: nothing; then cancelled at its first built run: no temp file.
        Assert.ThrowsAny<OperationCanceledException>(() => BackgroundMaker.Run(Variant(shardOut), NoCatalogs with { Shard = new Shard(1, 2) }, null, new CancellationToken(true)));
        using (var cts = new CancellationTokenSource())
        {
            var progress = new InlineProgress<CampaignProgress>(p => { if (p.Done == 3) cts.Cancel(); }); // after the selection of the 3 runs
            Assert.ThrowsAny<OperationCanceledException>(() => BackgroundMaker.Run(Variant(shardOut), NoCatalogs with { Shard = new Shard(1, 2), MaxParallelism = 1 }, progress, cts.Token));
        }
        Assert.Empty(StoreComparison.TempFiles(shardOut));
        Assert.Empty(Directory.GetFiles(shardOut, "*.fits.gz"));

        var first = BackgroundMaker.Run(Variant(shardOut), NoCatalogs with { Shard = new Shard(1, 2) });
        Assert.Equal(2, first.Count); // positions 0 and 2 of 3
        Assert.False(File.Exists(Path.Combine(shardOut, DataStore.HduIndexNames[0])));
        var partial = BackgroundMaker.Complete(Variant(shardOut), NoCatalogs, shardCount: 2);
        Assert.Equal([new Shard(2, 2)], partial.UnfinishedShards);
        BackgroundMaker.Run(Variant(shardOut), NoCatalogs with { Shard = new Shard(2, 2) });
        var completed = Variant(shardOut);
        var done = BackgroundMaker.Complete(completed, NoCatalogs, shardCount: 2);
        Assert.True(done.Completed);
        Assert.Equal(3, ((ConfigSection)completed.BackgroundSelectionSection.Get("bkg_runlist")!).Entries.Count());
        StoreComparison.AssertSameFiles(wholeOut, shardOut);
    }

    [Fact]
    public void A_from_run_pass_records_no_bkg_runlist_and_a_later_matched_pass_does_not_use_the_run_itself()
    {
        var (config, _) = Setup(fromRun: true);
        DatasetPreparer.Prepare(config);
        var fromRun = BackgroundMaker.Run(config, NoCatalogs);
        Assert.All(fromRun, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Null(config.BackgroundSelectionSection.Get("bkg_runlist"));

        // A config an older version wrote after a from_run pass: {run: [run]}.
        var self = new ConfigSection("background_selection.bkg_runlist", null);
        foreach (var r in fromRun) self.Set(r.ObsId.ToString(), new List<object?> { r.ObsId });
        config.BackgroundSelectionSection.Set("bkg_runlist", self);
        config.Section("io").Set("from_run", false);
        var matched = BackgroundMaker.Run(config, NoCatalogs with { Overwrite = true });
        foreach (var r in matched)
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
            Assert.NotEmpty(r.BackgroundRuns);
            Assert.DoesNotContain(r.ObsId, r.BackgroundRuns);
            Assert.Contains(r.Warnings, w => w.Contains("names only the run itself"));
        }
        var recorded = (ConfigSection)config.BackgroundSelectionSection.Get("bkg_runlist")!;
        foreach (var r in matched) Assert.Equal(r.BackgroundRuns, ((List<object?>)recorded.Get(r.ObsId.ToString())!).Select(Convert.ToInt64));
    }

    [Fact]
    public void A_broken_run_is_reported_and_the_others_complete()
    {
        var (config, _) = Setup(fromRun: true);
        var prepared = DatasetPreparer.Prepare(config);
        File.WriteAllText(prepared.Runs[1].Path, "not FITS any more");
        var results = BackgroundMaker.Run(config, NoCatalogs);
        Assert.Single(results, r => !r.Succeeded);
        var failed = results.Single(r => !r.Succeeded);
        Assert.Equal(prepared.Runs[1].ObsId, failed.ObsId);
        Assert.Contains(prepared.Runs[1].Path, failed.Error!.Message);
        Assert.Equal(2, results.Count(r => r.Succeeded));
        Assert.Equal(2, DataStore.Open(config.RequirePath("io", "out_dir")).ObsIds.Count);
    }

    [Fact]
    public void Run_list_files_are_read_with_comments_and_extra_columns()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "runs.txt");
        File.WriteAllLines(path, ["# run list", "64080 some comment", "", "64081\t2.5", "64080"]);
        Assert.Equal([64080L, 64081L], RunListReader.ReadFile(path));
        File.WriteAllLines(path, ["64080", "abc"]);
        var e = Assert.Throws<FormatException>(() => RunListReader.ReadFile(path));
        Assert.Contains(":2:", e.Message);
    }
}

public class BackgroundExclusionConfigTests
{
    private static GammapyToolsConfig Parse(string exclusion) => GammapyToolsConfig.Parse($"""
        io:
          in_dir: in
        exclusion:
        {exclusion}
        """, TestPaths.NewTempDir(), "analysis.yaml");

    private static readonly MakeBackgroundOptions Catalogs = new() { CatalogPaths = [TestPaths.Data("catalogs", "gammacat.fits.gz")] };

    [Fact]
    public void Sources_named_in_the_config_and_regions_become_exclusions()
    {
        var config = Parse("  exclude_source_name: [['Crab Nebula', 0.5]]\n  exclude_regions: [[10.0, 41.0, 0.2]]");
        var options = BackgroundMaker.LoadExclusions(config, Catalogs);
        Assert.Contains(options.UserRegions, r => r.Name == "Crab Nebula" && r.Radius == 0.5 && Math.Abs(r.Center.Ra - 83.63) < 0.01);
        Assert.Contains(options.UserRegions, r => r.Radius == 0.2 && r.Center.Dec == 41.0);
    }

    [Fact]
    public void An_unknown_source_name_lists_close_matches()
    {
        var config = Parse("  exclude_source_name: [['Crab Nebulla', 0.5]]");
        var e = Assert.ThrowsAny<KeyNotFoundException>(() => BackgroundMaker.LoadExclusions(config, Catalogs));
        Assert.Contains("Crab", e.Message);
    }
}
