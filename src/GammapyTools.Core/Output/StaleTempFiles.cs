using System.Diagnostics;

namespace GammapyTools.Output;

/// <summary>
/// Removes the temporary files that killed writers left in a folder (<see cref="AtomicFile"/> names them
/// <c>.&lt;name&gt;.&lt;pid&gt;@&lt;host&gt;.&lt;guid&gt;.tmp</c>; older versions wrote <c>.&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.tmp</c>
/// or <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c>). A file is removed only when its writer cannot be running:
/// <list type="bullet">
/// <item>written on this host by a process id that is not running, or that is running but started after
/// the file was last written (the id was reused);</item>
/// <item>written on another host, or by an older version (no host in the name): only when the caller holds
/// the folder's <see cref="CampaignLock"/> and the file is older than the lock (no campaign that holds it now
/// can have written it; another node's live file is never older than the lock it joined).</item>
/// </list>
/// A file whose writer is alive, or cannot be told, is kept.
/// </summary>
public static class StaleTempFiles
{
    /// <summary>
    /// Deletes the stale temporary files of <paramref name="folder"/> (not recursive) and returns their paths.
    /// <paramref name="lockedSince"/>: the time the caller's campaign lock was taken (its file's write
    /// time, on the file system's clock), or null outside a campaign.
    /// </summary>
    public static IReadOnlyList<string> Remove(string folder, DateTime? lockedSince = null)
    {
        var removed = new List<string>();
        foreach (string path in Find(folder, lockedSince))
        {
            try
            {
                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>
    /// The stale temporary files of <paramref name="folder"/> (not recursive), without deleting them (for a
    /// caller that asks first). <paramref name="lockedSince"/>: see <see cref="Remove"/>; outside a campaign,
    /// a time before which no live writer can have last written a file (e.g. an hour ago, where one write takes seconds).
    /// </summary>
    public static IReadOnlyList<string> Find(string folder, DateTime? lockedSince = null)
    {
        var stale = new List<string>();
        if (!Directory.Exists(folder)) return stale;
        foreach (string path in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            if (ParseWriter(Path.GetFileName(path)) is not { } writer) continue;
            DateTime written;
            try { written = File.GetLastWriteTimeUtc(path); }
            catch (IOException) { continue; }
            bool isStale = writer.Host == AtomicFile.HostTag && writer.Pid is int pid
                ? !IsRunning(pid, written)
                : lockedSince is DateTime since && written < since;
            if (isStale) stale.Add(path);
        }
        return stale;
    }

    /// <summary>The writer recorded in a temporary file's name: (pid, host) — either may be unknown — or null when the name is not one of ours.</summary>
    internal static (int? Pid, string? Host)? ParseWriter(string name)
    {
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal)) return null;
        string[] parts = name[1..^4].Split('.');
        if (parts.Length < 2 || !IsGuid(parts[^1])) return null;
        if (parts.Length >= 3)
        {
            string w = parts[^2];
            int at = w.IndexOf('@');
            if (at > 0 && int.TryParse(w[..at], out int pid)) return (pid, w[(at + 1)..]);
            if (w.Length > 0 && w.All(char.IsAsciiDigit) && int.TryParse(w, out int legacyPid)) return (legacyPid, null);
        }
        return (null, null);
    }

    private static bool IsGuid(string s) => s.Length == 32 && s.All(char.IsAsciiHexDigit);

    /// <summary>True when process <paramref name="pid"/> runs and may have written a file last written at <paramref name="written"/>.</summary>
    private static bool IsRunning(int pid, DateTime written)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            // A process started after the file's last write cannot have written it: the id was reused.
            // (Start times are whole clock ticks; a second of slack keeps a fresh writer's file.)
            return process.StartTime.ToUniversalTime() <= written.AddSeconds(1);
        }
        catch (ArgumentException) { return false; }        // no such process
        catch (InvalidOperationException) { return false; } // it exited meanwhile
        catch (Exception) { return true; }                  // cannot tell: keep the file
    }
}
