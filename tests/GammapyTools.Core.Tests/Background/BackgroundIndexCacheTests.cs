using System.Diagnostics;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Output;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

/// <summary>Remove-BackgroundIndex's core: the index files of deleted stores and dead writers' temporary files, nothing else; and the tests' own cache.</summary>
public class BackgroundIndexCacheTests
{
    [Fact]
    public void The_tests_never_use_the_users_cache_folder()
    {
        string folder = BackgroundIndex.DefaultDirectory();
        Assert.False(TestCache.SameFolder(folder, Path.Combine(TestCache.UserCacheHome, "gammapytools")), folder);
        Assert.Equal(folder, new BackgroundIndex().Directory);
    }

    [Fact]
    public void Finds_the_indexes_of_deleted_stores_and_dead_writers_temp_files_and_keeps_the_rest()
    {
        string root = TestPaths.NewTempDir();
        string cache = Path.Combine(root, "cache");
        var index = new BackgroundIndex(cache);
        string live = Path.Combine(root, "live"), gone = Path.Combine(root, "gone"), emptied = Path.Combine(root, "emptied");
        foreach (string store in new[] { live, gone, emptied })
        {
            DataStoreSimulator.Create(store, new SimulationOptions { RunCount = 2, Seed = 1, EventsPerRun = 50 });
            index.Update(DataStore.Open(store));
            Assert.Equal(Path.GetFullPath(store), BackgroundIndexCache.StoreRootOf(index.PathFor(store)));
        }
        Directory.Delete(gone, recursive: true);
        foreach (string name in DataStore.HduIndexNames) File.Delete(Path.Combine(emptied, name));

        // Temporary files: a writer of this host that has ended, this (running) process, another host's old and fresh ones.
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        ended.WaitForExit();
        string Temp(string writer) => Path.Combine(cache, $".bkg-x-0123456789abcdef.gtbi.{writer}.{Guid.NewGuid():N}.tmp");
        string dead = Temp($"{ended.Id}@{AtomicFile.HostTag}"), mine = Temp($"{Environment.ProcessId}@{AtomicFile.HostTag}");
        string oldElsewhere = Temp("4242@another-node"), freshElsewhere = Temp("4243@another-node");
        foreach (string t in new[] { dead, mine, oldElsewhere, freshElsewhere }) File.WriteAllText(t, "partial");
        File.SetLastWriteTimeUtc(oldElsewhere, DateTime.UtcNow.AddHours(-2));
        // Not ours, or not readable as an index: kept.
        File.WriteAllText(Path.Combine(cache, "bkg-junk-0000000000000000.gtbi"), "not an index");
        File.WriteAllText(Path.Combine(cache, "notes.txt"), "mine");

        var unused = BackgroundIndexCache.FindUnused(cache);
        Assert.Equal(
            new[] { index.PathFor(emptied), index.PathFor(gone) }.Order(StringComparer.Ordinal),
            unused.Where(f => f.Kind == BackgroundCacheFileKind.Orphaned).Select(f => f.Path));
        Assert.Contains("no longer exists", unused.Single(f => f.DataStore == Path.GetFullPath(gone)).Reason);
        Assert.Contains("no HDU index", unused.Single(f => f.DataStore == Path.GetFullPath(emptied)).Reason);
        Assert.Equal(new[] { dead, oldElsewhere }.Order(StringComparer.Ordinal),
            unused.Where(f => f.Kind == BackgroundCacheFileKind.DeadWriter).Select(f => f.Path).Order(StringComparer.Ordinal));

        // A store that comes back before the removal keeps its index.
        DataStoreSimulator.Create(gone, new SimulationOptions { RunCount = 2, Seed = 1, EventsPerRun = 50 });
        Assert.All(unused, f => Assert.Equal(f.DataStore != Path.GetFullPath(gone), BackgroundIndexCache.Remove(f)));
        Assert.Equal(
            new[] { index.PathFor(live), index.PathFor(gone), mine, freshElsewhere, Path.Combine(cache, "bkg-junk-0000000000000000.gtbi"), Path.Combine(cache, "notes.txt") }.Order(StringComparer.Ordinal),
            Directory.GetFiles(cache).Order(StringComparer.Ordinal));
        Assert.Empty(BackgroundIndexCache.FindUnused(cache));
    }
}
