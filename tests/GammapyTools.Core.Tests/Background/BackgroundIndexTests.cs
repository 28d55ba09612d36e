using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

public class BackgroundIndexTests
{
    private static (DataStore Store, IReadOnlyList<Run> Runs) NewStore(int runs = 8, long seed = 5)
    {
        string dir = TestPaths.NewTempDir();
        var list = DataStoreSimulator.Create(dir, new SimulationOptions { RunCount = runs, Seed = seed, EventsPerRun = 200 });
        return (DataStore.Open(dir), list);
    }

    private static void AssertSameModel(BackgroundModel expected, BackgroundModel actual)
    {
        Assert.Equal(expected.HduClass, actual.HduClass);
        Assert.Equal(expected.Axes.Count, actual.Axes.Count);
        for (int a = 0; a < expected.Axes.Count; a++) Assert.Equal(expected.Axes[a], actual.Axes[a]);
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.Normalized, actual.Normalized);
    }

    private static BackgroundModel FromFile(Run run) => BackgroundModel.Read(run.FindHdu("bkg")!);

    private static (string File, string Hdu) Key(Run run)
    {
        var bkg = run.FindHdu("bkg")!;
        return (Path.GetFullPath(bkg.FilePath), bkg.HduName.ToUpperInvariant());
    }

    [Fact]
    public void A_built_index_is_reused_by_a_new_instance_and_holds_the_files_models()
    {
        var (store, _) = NewStore();
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();

        var (models, first) = new BackgroundIndex(cache).Update(store);
        Assert.Equal(runs.Count, first.Runs);
        Assert.Equal(runs.Count, first.Read);
        Assert.Equal(0, first.Reused);
        Assert.True(first.Written);
        Assert.True(File.Exists(first.IndexPath));
        foreach (var run in runs) AssertSameModel(FromFile(run), models[Key(run)]);

        // A second process would start here: a new index object, nothing in memory.
        var (again, second) = new BackgroundIndex(cache).Update(DataStore.Open(store.Root));
        Assert.Equal(0, second.Read);
        Assert.Equal(runs.Count, second.Reused);
        Assert.False(second.Written);
        foreach (var run in runs) AssertSameModel(FromFile(run), again[Key(run)]);
    }

    [Fact]
    public void A_changed_file_is_read_again_and_a_run_that_left_the_store_is_dropped()
    {
        var (store, _) = NewStore();
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();
        var index = new BackgroundIndex(cache);
        index.Update(store);

        // Run 2 leaves the store.
        var files = runs.Where((_, i) => i != 2).Select(r => r.Path).ToList();
        DataStoreIndex.Write(store.Root, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
        // Run 0's file now holds run 1's content (another model; the hdu-index still points to it); its mtime changes.
        File.Copy(runs[1].Path, runs[0].Path, overwrite: true);
        File.SetLastWriteTimeUtc(runs[0].Path, DateTime.UtcNow.AddMinutes(1));

        var reopened = DataStore.Open(store.Root);
        var (models, summary) = new BackgroundIndex(cache).Update(reopened);
        Assert.Equal(1, summary.Read);
        Assert.Equal(runs.Count - 2, summary.Reused);
        Assert.Equal(1, summary.Removed);
        Assert.True(summary.Written);
        Assert.Equal(runs.Count - 1, models.Count);
        AssertSameModel(FromFile(runs[1]), models[Key(runs[0])]);
        Assert.DoesNotContain(Key(runs[2]), models.Keys);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("version")]
    public void A_damaged_index_is_detected_and_rebuilt_never_trusted(string damage)
    {
        var (store, _) = NewStore(runs: 4);
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);
        byte[] bytes = File.ReadAllBytes(built.IndexPath);
        switch (damage)
        {
            case "flip": bytes[bytes.Length / 2] ^= 0x40; break;     // one bit inside a model's values
            case "truncate": bytes = bytes[..(bytes.Length - 100)]; break;
            case "garbage": bytes = new byte[bytes.Length]; new Random(1).NextBytes(bytes); break;
            case "version": bytes[8] = 99; break;
        }
        File.WriteAllBytes(built.IndexPath, bytes);

        var (entries, why) = BackgroundIndex.TryRead(built.IndexPath, store.Root);
        Assert.Null(entries);
        Assert.NotNull(why);

        var (models, rebuilt) = new BackgroundIndex(cache).Update(store);
        Assert.Equal(why, rebuilt.Rejected);
        Assert.Equal(runs.Count, rebuilt.Read);
        Assert.True(rebuilt.Written);
        foreach (var run in runs) AssertSameModel(FromFile(run), models[Key(run)]);
        Assert.Null(BackgroundIndex.TryRead(built.IndexPath, store.Root).Rejected);
    }

    [Fact]
    public void Concurrent_builders_never_leave_a_partial_or_corrupt_index()
    {
        var (store, _) = NewStore(runs: 6);
        string cache = TestPaths.NewTempDir();
        var index = new BackgroundIndex(cache);
        string path = index.PathFor(store.Root);
        var rejections = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        // A reader polls the file while builders replace it: every version it sees must be whole.
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                if (BackgroundIndex.TryRead(path, store.Root).Rejected is { } why) rejections.Add(why);
        });
        // Builders that all rebuild (write) at once, each with its own index object (as separate processes would).
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
            new BackgroundIndex(cache).Update(DataStore.Open(store.Root), maxParallelism: 1, rebuild: true));
        stop.Cancel();
        reader.GetAwaiter().GetResult();

        Assert.Empty(rejections);
        var (entries, rejected) = BackgroundIndex.TryRead(path, store.Root);
        Assert.Null(rejected);
        Assert.Equal(6, entries!.Count);
        Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(cache, ".*")));
    }

    [Fact]
    public void An_unwritable_cache_folder_is_reported_and_the_models_are_still_given()
    {
        var (store, _) = NewStore(runs: 3);
        string blocker = Path.Combine(TestPaths.NewTempDir(), "not-a-folder");
        File.WriteAllText(blocker, "a file where the cache folder should be");
        var (models, summary) = new BackgroundIndex(blocker).Update(store);
        Assert.False(summary.Written);
        Assert.NotNull(summary.WriteError);
        Assert.Equal(3, models.Count);
    }

    [Fact]
    public void The_model_cache_with_an_index_gives_the_same_kl_divergences_as_reading_the_files()
    {
        var (store, _) = NewStore(runs: 10);
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();
        var (plain, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache());
        var indexed = new BackgroundModelCache(new BackgroundIndex(cache));
        var (fromIndex, failures) = KlDivergenceCalculator.Compute(runs[0], runs, indexed);
        Assert.Empty(failures);
        Assert.Equal(plain.Select(r => (r.ObsId, r.KlDivergence)), fromIndex.Select(r => (r.ObsId, r.KlDivergence)));
        // Built on first use: the index file exists now, and the cache reports what it did once.
        var summary = indexed.TakeIndexSummary();
        Assert.NotNull(summary);
        Assert.Equal(runs.Count, summary!.Read);
        Assert.True(File.Exists(summary.IndexPath));
        Assert.Null(indexed.TakeIndexSummary());
        // A fresh cache (a new process) takes every model from the index and reads no run file.
        var fresh = new BackgroundModelCache(new BackgroundIndex(cache));
        var (again, _) = KlDivergenceCalculator.Compute(runs[0], runs, fresh);
        Assert.Equal(plain.Select(r => (r.ObsId, r.KlDivergence)), again.Select(r => (r.ObsId, r.KlDivergence)));
        Assert.Equal(runs.Count, fresh.TakeIndexSummary()!.Reused);
    }

    [Fact]
    public void A_cache_over_a_trusted_index_checks_only_the_runs_asked_for_and_reads_a_changed_file_again()
    {
        var (store, _) = NewStore(runs: 6);
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);
        byte[] indexBefore = File.ReadAllBytes(built.IndexPath);
        // Run 0's file now holds run 1's content (another model); the index still describes the old file.
        File.Copy(runs[1].Path, runs[0].Path, overwrite: true);
        File.SetLastWriteTimeUtc(runs[0].Path, DateTime.UtcNow.AddMinutes(1));

        var fresh = new BackgroundModelCache(new BackgroundIndex(cache));
        AssertSameModel(FromFile(runs[1]), fresh.Get(runs[0]));   // the file's model now, not the indexed one
        AssertSameModel(FromFile(runs[2]), fresh.Get(runs[2]));
        AssertSameModel(FromFile(runs[2]), fresh.Get(runs[2]));   // decoded once, then kept
        var summary = fresh.TakeIndexSummary()!;
        Assert.Equal(runs.Count, summary.Runs);
        Assert.Equal(1, summary.Read);
        Assert.Equal(1, summary.Reused);
        Assert.Null(summary.Rejected);
        Assert.Equal(indexBefore, File.ReadAllBytes(built.IndexPath));   // a search does not rewrite a trusted index
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public void A_cache_never_trusts_a_damaged_index_it_rebuilds_it(string damage)
    {
        var (store, _) = NewStore(runs: 4);
        var runs = store.ObsIds.Select(store.GetRun).ToList();
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);
        byte[] bytes = File.ReadAllBytes(built.IndexPath);
        // A flipped bit inside the last model's values: only the whole-file checksum can see it.
        if (damage == "flip") bytes[bytes.Length - 40] ^= 0x40;
        else bytes = bytes[..(bytes.Length - 100)];
        File.WriteAllBytes(built.IndexPath, bytes);

        var fresh = new BackgroundModelCache(new BackgroundIndex(cache));
        foreach (var run in runs) AssertSameModel(FromFile(run), fresh.Get(run));
        var summary = fresh.TakeIndexSummary()!;
        Assert.NotNull(summary.Rejected);
        Assert.Equal(runs.Count, summary.Read);
        Assert.True(summary.Written);
        Assert.Null(BackgroundIndex.TryRead(built.IndexPath, store.Root).Rejected);
    }

    [Fact]
    public void The_default_folder_follows_XDG_CACHE_HOME()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/some/cache");
            Assert.Equal("/some/cache/gammapytools", BackgroundIndex.DefaultDirectory());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "gammapytools"), BackgroundIndex.DefaultDirectory());
        }
        finally { Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved); }
    }
}
