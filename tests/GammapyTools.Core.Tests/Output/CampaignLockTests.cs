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
        using var holder = StartSharedHolder(lockFile);
        try
        {
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
    [Fact]
    public async Task The_final_step_waits_for_its_campaigns_processes_and_then_has_the_folder_to_itself()
    {
        string dir = TestPaths.NewTempDir();
        var shard = CampaignLock.Acquire(dir, CampaignLock.MemberIdentity("campaign-a", "force"), "a shard of campaign A");
        // Not waiting: refused, naming the shard that holds it.
        var busy = Assert.Throws<CampaignLockException>(() => CampaignLock.AcquireSole(dir, "campaign-a", "completing A", TimeSpan.Zero));
        Assert.Contains("same campaign", busy.Message);
        Assert.Contains($"process {Environment.ProcessId} on host {AtomicFile.HostTag}", busy.Message);
        Assert.Contains("a shard of campaign A", busy.Message);

        // Waiting: it takes the folder once the shard ends.
        var watch = Stopwatch.StartNew();
        var release = Task.Run(async () => { await Task.Delay(500); shard.Dispose(); });
        using (var sole = CampaignLock.AcquireSole(dir, "campaign-a", "completing A", TimeSpan.FromSeconds(30)))
        {
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.4, 20);
            await release;
            // Meanwhile no process joins, not even one of the same campaign; another completion is refused too.
            var shardRefused = Assert.Throws<CampaignLockException>(() => CampaignLock.Acquire(dir, CampaignLock.MemberIdentity("campaign-a", "force"), "a shard of campaign A"));
            Assert.Contains("completing A", shardRefused.Message);
            Assert.Throws<CampaignLockException>(() => CampaignLock.AcquireSole(dir, "campaign-a", "completing A again", TimeSpan.Zero));
        }
        using var next = CampaignLock.Acquire(dir, CampaignLock.MemberIdentity("campaign-a", "force"), "a shard of campaign A");
    }

    [Fact]
    public void The_final_step_refuses_another_campaign_at_once_and_stops_waiting_when_cancelled()
    {
        string dir = TestPaths.NewTempDir();
        using (CampaignLock.Acquire(dir, CampaignLock.MemberIdentity("campaign-b", "x"), "Invoke-MakeBackground, config other.yaml"))
        {
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<CampaignLockException>(() => CampaignLock.AcquireSole(dir, "campaign-a", "completing A", TimeSpan.FromSeconds(60)));
            Assert.True(watch.Elapsed.TotalSeconds < 10, $"took {watch.Elapsed.TotalSeconds:F1} s");
            Assert.Contains("another campaign", e.Message);
            Assert.Contains("other.yaml", e.Message);
        }
        using (CampaignLock.Acquire(dir, CampaignLock.MemberIdentity("campaign-a", "x"), "a shard of campaign A"))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var watch = Stopwatch.StartNew();
            Assert.ThrowsAny<OperationCanceledException>(() => CampaignLock.AcquireSole(dir, "campaign-a", "completing A", TimeSpan.FromSeconds(60), stop.Token));
            Assert.True(watch.Elapsed.TotalSeconds < 10, $"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    [Fact]
    public void A_refusal_names_the_processes_that_joined_and_marks_those_that_ended()
    {
        string dir = TestPaths.NewTempDir();
        string lockFile = Path.Combine(dir, CampaignLock.FileName);
        // The campaign's first process has ended (a real PID that no longer runs) while another process still holds the lock.
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        ended.WaitForExit();
        File.WriteAllText(lockFile, $"campaign-a+s\n{ended.Id}\n{AtomicFile.HostTag}\n2026-01-01T00:00:00Z\nshards of campaign A\n");
        using var holder = StartSharedHolder(lockFile);
        try
        {
            // This process joins the campaign: it is recorded.
            using var joined = CampaignLock.Acquire(dir, "campaign-a+s", "shards of campaign A");
            var refused = Assert.Throws<CampaignLockException>(() => CampaignLock.Acquire(dir, "campaign-b+s", "campaign B"));
            Assert.Contains($"started by process {ended.Id} on host {AtomicFile.HostTag} (ended)", refused.Message);
            Assert.Contains($"joined by process {Environment.ProcessId} on host {AtomicFile.HostTag} at ", refused.Message);
            Assert.DoesNotContain($"process {Environment.ProcessId} on host {AtomicFile.HostTag} (ended)", refused.Message);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        // Free again: the next campaign starts a fresh record (no joiners of the old one).
        using (CampaignLock.Acquire(dir, "campaign-b+s", "campaign B")) { }
        Assert.Equal(0, new FileInfo(Path.Combine(dir, CampaignLock.GateFileName)).Length);
    }

    /// <summary>
    /// Another process that holds a shared flock(2) on the lock file, as a campaign process does (--no-fork:
    /// the process to kill is the one holding the lock); returned once it holds it (an exclusive open fails),
    /// the file unchanged.
    /// </summary>
    private static Process StartSharedHolder(string lockFile)
    {
        var holder = Process.Start(new ProcessStartInfo("flock", ["--shared", "--no-fork", lockFile, "sleep", "60"]) { UseShellExecute = false })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose(); }
            catch (IOException) { return holder; }
            if (DateTime.UtcNow >= deadline)
            {
                holder.Kill();
                Assert.Fail("the holder never took the lock");
            }
            Thread.Sleep(20);
        }
    }
}
