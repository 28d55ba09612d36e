using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Mimic;
using GammapyTools.Output;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// Invoke-MimicDataset and Invoke-MakeBackground on a shared out_dir: one campaign at a time, no seed mixing,
/// a config that fails validation stops before any folder, a write error is one target's result.
/// </summary>
public class MimicCampaignSafetyTests
{
    private const int NMimic = 2;

    private sealed record Campaign(string Root, IReadOnlyList<long> Targets);

    private static readonly Lazy<Campaign> Shared = new(() =>
    {
        string root = TestPaths.NewTempDir();
        var search = DataStoreSimulator.Create(Path.Combine(root, "search"),
            new SimulationOptions { RunCount = 60, Seed = 5, EventsPerRun = 200, Seasons = 1 });
        var targets = search.Where(r => r.NTels == 4).Take(4).ToList();
        string inDir = Path.Combine(root, "targets");
        Directory.CreateDirectory(inDir);
        var files = new List<string>();
        foreach (var t in targets) { string to = Path.Combine(inDir, Path.GetFileName(t.Path)); File.Copy(t.Path, to); files.Add(to); }
        DataStoreIndex.Write(inDir, files.Select(DataStoreIndex.Scan).ToList(), overwrite: false);
        return new Campaign(root, targets.Select(t => t.ObsId).ToList());
    });

    /// <summary>A config for a fresh out_dir (or the given one) of the shared inputs.</summary>
    private static GammapyToolsConfig Config(string? outDir = null, string extra = "")
    {
        var c = Shared.Value;
        outDir ??= "out-" + Guid.NewGuid().ToString("N")[..8];
        string yaml = $"""
            io:
              search_datastore: search
              in_dir: targets
              out_dir: {outDir}
            background_selection:
              nsb_diff: 5
              el_diff: 2
              az_diff: 180
              time_max: 4000
              n_tels: 4
              n_mimic: {NMimic}
            {extra}
            run_selection:
              runlist: [{string.Join(", ", c.Targets)}]
            """;
        string path = Path.Combine(c.Root, Guid.NewGuid().ToString("N")[..8] + ".yaml");
        File.WriteAllText(path, yaml);
        return GammapyToolsConfig.Load(path);
    }

    /// <summary>Every output file's bytes (not the lock files: a campaign that takes the lock rewrites them).</summary>
    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(CampaignLock.FileName, StringComparison.Ordinal) && !f.EndsWith(CampaignLock.GateFileName, StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllBytes);

    [Fact]
    public void A_rerun_with_another_seed_is_refused_unless_Force()
    {
        var first = Config();
        var results = MimicDatasetBuilder.Run(first, new MimicDatasetOptions { Seed = 1 });
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        string outDir = first.RequirePath("io", "out_dir");
        string saved = Path.Combine(MimicDatasetBuilder.DatasetFolder(outDir, 1), MimicDatasetBuilder.ConfigFileName);
        Assert.Equal(1L, GammapyToolsConfig.Load(saved).BackgroundSelectionSection.GetValue<long?>("mimic_seed"));
        var before = Snapshot(outDir);

        var e = Assert.Throws<ConfigException>(() => MimicDatasetBuilder.Run(GammapyToolsConfig.Load(first.SourcePath!), new MimicDatasetOptions { Seed = 2 }));
        Assert.Contains("seed 1", e.Message);
        Assert.Contains("seed 2", e.Message);
        var after = Snapshot(outDir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (k, v) in before) Assert.Equal(v, after[k]);

        // The same seed completes; Force rebuilds with the new one and records it.
        MimicDatasetBuilder.Run(GammapyToolsConfig.Load(first.SourcePath!), new MimicDatasetOptions { Seed = 1 });
        MimicDatasetBuilder.Run(GammapyToolsConfig.Load(first.SourcePath!), new MimicDatasetOptions { Seed = 2, Force = true });
        Assert.Equal(2L, GammapyToolsConfig.Load(saved).BackgroundSelectionSection.GetValue<long?>("mimic_seed"));
    }

    [Fact]
    public void A_second_campaign_on_the_same_out_dir_stops_at_once_naming_the_holder()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        using (CampaignLock.Acquire(outDir, "another-campaign", "Invoke-MakeBackground, config other.yaml"))
        {
            var e = Assert.Throws<CampaignLockException>(() => MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 3 }));
            Assert.Contains($"process {Environment.ProcessId} on host {AtomicFile.HostTag}", e.Message);
            Assert.Contains("other.yaml", e.Message);
            Assert.False(Directory.Exists(MimicDatasetBuilder.DatasetFolder(outDir, 1)));
            Assert.Throws<CampaignLockException>(() => BackgroundMaker.Run(GammapyToolsConfig.Load(config.SourcePath!), new MakeBackgroundOptions { CatalogPaths = [] }));
        }
        Assert.All(MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 3 }), r => Assert.True(r.Succeeded));
    }

    [Fact]
    public async Task Processes_of_the_same_campaign_share_the_out_dir()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        var options = new MimicDatasetOptions { Seed = 4 };
        // Two runs of one campaign at once (as shards would be): neither is refused.
        var a = Task.Run(() => MimicDatasetBuilder.Run(GammapyToolsConfig.Load(config.SourcePath!), options));
        var b = Task.Run(() => MimicDatasetBuilder.Run(GammapyToolsConfig.Load(config.SourcePath!), options));
        var (ra, rb) = (await a, await b);
        Assert.All(ra.Concat(rb), r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(ra.SelectMany(r => r.BackgroundRuns), rb.SelectMany(r => r.BackgroundRuns));
    }

    [Fact]
    public async Task Complete_waits_for_a_shard_still_writing_and_refuses_another_campaign()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        var options = new MimicDatasetOptions { Seed = 6 };
        MimicDatasetBuilder.Run(GammapyToolsConfig.Load(config.SourcePath!), options with { Shard = new GammapyTools.Cluster.Shard(1, 1) });
        string obsIndex = Path.Combine(MimicDatasetBuilder.DatasetFolder(outDir, 1), DataStore.ObsIndexNames[0]);
        Assert.False(File.Exists(obsIndex));

        // A rerun of the shard with -Force (same campaign, other settings) is held just before its first rename.
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Action<string> hold = p =>
        {
            if (!p.StartsWith(outDir, StringComparison.Ordinal)) return;
            writing.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        };
        AtomicFile.WriteHook += hold;
        try
        {
            var shard = Task.Run(() => MimicDatasetBuilder.Run(GammapyToolsConfig.Load(config.SourcePath!), options with { Force = true, Shard = new GammapyTools.Cluster.Shard(1, 1) }));
            Assert.True(writing.Wait(TimeSpan.FromSeconds(60)), "the shard never wrote");
            var busy = Assert.Throws<CampaignLockException>(() => MimicDatasetBuilder.Complete(GammapyToolsConfig.Load(config.SourcePath!), options));
            Assert.Contains("same campaign", busy.Message);
            Assert.Contains($"process {Environment.ProcessId}", busy.Message);
            Assert.False(File.Exists(obsIndex));

            var complete = Task.Run(() => MimicDatasetBuilder.Complete(GammapyToolsConfig.Load(config.SourcePath!), options, lockWait: TimeSpan.FromSeconds(60)));
            await Task.Delay(500);
            Assert.False(complete.IsCompleted); // waits for the shard
            AtomicFile.WriteHook -= hold;
            release.Set();
            Assert.All(await shard, r => Assert.True(r.Succeeded, r.Error?.ToString()));
            Assert.True((await complete).Completed);
            Assert.True(File.Exists(obsIndex));
        }
        finally
        {
            AtomicFile.WriteHook -= hold;
            release.Set();
        }

        // Another campaign in out_dir: refused at once, naming it, even with time to wait.
        using (CampaignLock.Acquire(outDir, "another-campaign", "Invoke-MakeBackground, config other.yaml"))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws<CampaignLockException>(() => MimicDatasetBuilder.Complete(GammapyToolsConfig.Load(config.SourcePath!), options, lockWait: TimeSpan.FromSeconds(60)));
            Assert.True(watch.Elapsed.TotalSeconds < 10);
            Assert.Contains("other.yaml", e.Message);
            Assert.Throws<CampaignLockException>(() => BackgroundMaker.Complete(GammapyToolsConfig.Load(config.SourcePath!), new MakeBackgroundOptions { CatalogPaths = [] }, lockWait: TimeSpan.FromSeconds(60)));
        }
    }

    [Theory]
    [InlineData("binning:\n  e_min: 10\n  e_max: 1")]
    [InlineData("run_selection_extra: 1")]
    public void A_config_that_fails_validation_stops_before_any_folder(string extra)
    {
        var config = Config(extra: extra);
        if (extra.StartsWith("run_selection_extra")) config.Section("run_selection").Set("runlist", new List<object?>());
        string outDir = config.RequirePath("io", "out_dir");
        Assert.Throws<ConfigException>(() => MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 1 }));
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_write_error_is_that_targets_result_and_the_campaign_goes_on()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        long failing = Shared.Value.Targets[1];
        var targetFile = Path.GetFileName(DataStore.Open(config.RequirePath("io", "in_dir")).GetRun(failing).Path);
        // A full disk for one target's outputs (the hook runs before each rename of this campaign's files only).
        Action<string> full = p =>
        {
            if (p.StartsWith(outDir, StringComparison.Ordinal) && Path.GetFileName(p) == targetFile)
                throw new IOException("No space left on device");
        };
        AtomicFile.WriteHook += full;
        CampaignResults<MimicDatasetResult> results;
        try { results = MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 5 }); }
        finally { AtomicFile.WriteHook -= full; }

        var bad = results.Single(r => r.ObsId == failing);
        Assert.False(bad.Succeeded);
        Assert.Contains("No space left on device", bad.Error!.Message);
        Assert.All(results.Where(r => r.ObsId != failing), r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Empty(results.FinalStepErrors);
        var store = DataStore.Open(MimicDatasetBuilder.DatasetFolder(outDir, 1));
        Assert.Equal(Shared.Value.Targets.Count - 1, store.ObsIds.Count);
        Assert.Empty(Directory.GetFiles(MimicDatasetBuilder.DatasetFolder(outDir, 1), ".*.tmp"));
    }

    [Fact]
    public void An_index_that_cannot_be_written_keeps_the_per_target_results()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        Action<string> full = p =>
        {
            if (p.StartsWith(outDir, StringComparison.Ordinal) && DataStore.HduIndexNames.Contains(Path.GetFileName(p)))
                throw new IOException("No space left on device");
        };
        AtomicFile.WriteHook += full;
        CampaignResults<MimicDatasetResult> results;
        try { results = MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 6 }); }
        finally { AtomicFile.WriteHook -= full; }
        Assert.Equal(Shared.Value.Targets.Count, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(NMimic, results.FinalStepErrors.Count);
        Assert.All(results.FinalStepErrors, e => Assert.Contains("No space left on device", e.Message));
    }

    [Fact]
    public void A_campaign_removes_dead_writers_temp_files_and_keeps_live_ones()
    {
        var config = Config();
        string outDir = config.RequirePath("io", "out_dir");
        string folder = MimicDatasetBuilder.DatasetFolder(outDir, 1);
        Directory.CreateDirectory(folder);
        string guid() => Guid.NewGuid().ToString("N");
        string dead = Path.Combine(folder, $".x.fits.gz.{int.MaxValue - 1}@{AtomicFile.HostTag}.{guid()}.tmp");
        string oldOtherHost = Path.Combine(folder, $".y.fits.gz.77@far-node.{guid()}.tmp");
        string live = Path.Combine(folder, $".z.fits.gz.{Environment.ProcessId}@{AtomicFile.HostTag}.{guid()}.tmp");
        foreach (var f in new[] { dead, oldOtherHost, live }) File.WriteAllText(f, "partial");
        File.SetLastWriteTimeUtc(oldOtherHost, DateTime.UtcNow.AddDays(-1));

        MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 7 });

        Assert.False(File.Exists(dead));
        Assert.False(File.Exists(oldOtherHost));
        Assert.True(File.Exists(live));
    }
}
