using System.Diagnostics;
using GammapyTools.Output;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Output;

/// <summary>Temporary files of dead writers are removed; a live writer's never.</summary>
public class StaleTempFilesTests
{
    private static string Guid32() => Guid.NewGuid().ToString("N");

    /// <summary>The id of a process that has ended.</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private static string Touch(string dir, string name, DateTime? written = null)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "partial");
        if (written is DateTime w) File.SetLastWriteTimeUtc(path, w);
        return path;
    }

    [Fact]
    public void Files_of_dead_writers_on_this_host_go_and_live_writers_files_stay()
    {
        string dir = TestPaths.NewTempDir();
        string host = AtomicFile.HostTag;
        string dead = Touch(dir, $".a.fits.{DeadPid()}@{host}.{Guid32()}.tmp");
        string mine = Touch(dir, $".b.fits.{Environment.ProcessId}@{host}.{Guid32()}.tmp");
        // pid 1 runs, and started before this file was written: a live writer.
        string init = Touch(dir, $".c.fits.1@{host}.{Guid32()}.tmp");
        // pid 1 runs, but started after this file was last written: the id was reused, the writer is gone.
        string reused = Touch(dir, $".d.fits.1@{host}.{Guid32()}.tmp", new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        string otherHost = Touch(dir, $".e.fits.{DeadPid()}@another-node.{Guid32()}.tmp", DateTime.UtcNow.AddHours(-1));
        string legacy = Touch(dir, $".f.fits.{DeadPid()}.{Guid32()}.tmp", DateTime.UtcNow.AddHours(-1));
        string notOurs = Touch(dir, ".g.fits.123.tmp");
        string data = Touch(dir, "h.fits");

        var removed = StaleTempFiles.Remove(dir);

        Assert.Equal(new[] { dead, reused }.Order(), removed.Order());
        foreach (var kept in new[] { mine, init, otherHost, legacy, notOurs, data }) Assert.True(File.Exists(kept), kept);
    }

    [Fact]
    public void Inside_a_campaign_other_hosts_and_old_versions_files_go_when_older_than_the_lock()
    {
        string dir = TestPaths.NewTempDir();
        var since = DateTime.UtcNow.AddMinutes(-10);
        string oldOther = Touch(dir, $".a.fits.4242@another-node.{Guid32()}.tmp", since.AddMinutes(-5));
        string newOther = Touch(dir, $".b.fits.4242@another-node.{Guid32()}.tmp", since.AddMinutes(5));
        string oldLegacy = Touch(dir, $".c.fits.4242.{Guid32()}.tmp", since.AddMinutes(-5));
        string oldPng = Touch(dir, $".d.png.{Guid32()}.tmp", since.AddMinutes(-5));
        string mine = Touch(dir, $".e.fits.{Environment.ProcessId}@{AtomicFile.HostTag}.{Guid32()}.tmp", since.AddMinutes(-5));

        var removed = StaleTempFiles.Remove(dir, since);

        Assert.Equal(new[] { oldOther, oldLegacy, oldPng }.Order(), removed.Order());
        Assert.True(File.Exists(newOther));
        Assert.True(File.Exists(mine));
    }
}
