using System.Diagnostics;
using GammapyTools.Output;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Output;

/// <summary>One campaign per output folder: shards of one campaign share the lock, another campaign is refused, a dead holder frees it.</summary>
public class CampaignLockTests
{
    [Fact]
    public void Processes_of_one_campaign_share_the_lock_and_another_campaign_is_refused()
    {
        string dir = TestPaths.NewTempDir();
        using (var a = CampaignLock.Acquire(dir, "campaign-a", "test campaign A"))
        using (var shard = CampaignLock.Acquire(dir, "campaign-a", "test campaign A"))
        {
            Assert.Equal(a.Since, shard.Since);
            var e = Assert.Throws<CampaignLockException>(() => CampaignLock.Acquire(dir, "campaign-b", "test campaign B"));
            Assert.Contains($"process {Environment.ProcessId}", e.Message);
            Assert.Contains($"host {AtomicFile.HostTag}", e.Message);
            Assert.Contains("test campaign A", e.Message);
            Assert.Equal(Path.GetFullPath(dir), e.Folder);
            a.Dispose();
            // One shard still runs: still refused.
            Assert.Throws<CampaignLockException>(() => CampaignLock.Acquire(dir, "campaign-b", "test campaign B"));
        }
        using var b = CampaignLock.Acquire(dir, "campaign-b", "test campaign B");
        Assert.Equal("campaign-b", b.Identity);
    }

    [Fact]
    public void A_killed_holder_releases_the_lock()
    {
        string dir = TestPaths.NewTempDir();
        string lockFile = Path.Combine(dir, CampaignLock.FileName);
        using (CampaignLock.Acquire(dir, "killed-campaign", "a campaign that gets killed")) { }
        // Another process holds a shared flock(2) on the lock file, as a campaign process does
        // (--no-fork: the process killed is the one holding the lock).
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--shared", "--no-fork", lockFile, "sleep", "60"]) { UseShellExecute = false })!;
        try
        {
            // Wait until it holds it (an exclusive open fails), without changing the file.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try { new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose(); }
                catch (IOException) { break; }
                Assert.True(DateTime.UtcNow < deadline, "the holder never took the lock");
                Thread.Sleep(20);
            }
            var refused = Assert.Throws<CampaignLockException>(() => CampaignLock.Acquire(dir, "next-campaign", "the next campaign"));
            Assert.Contains("a campaign that gets killed", refused.Message);
            Assert.Contains($"process {Environment.ProcessId}", refused.Message); // who took it first
        }
        finally
        {
            holder.Kill(); // SIGKILL: the holder cannot release anything itself
            holder.WaitForExit();
        }
        using var next = CampaignLock.Acquire(dir, "next-campaign", "the next campaign");
        Assert.Equal("next-campaign", next.Identity);
    }
}
