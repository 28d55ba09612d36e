using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GammapyTools.Output;

/// <summary>Another campaign holds the output folder; the message names it (PID, host, start).</summary>
public sealed class CampaignLockException : IOException
{
    public CampaignLockException(string message, string folder) : base(message) => Folder = folder;
    public string Folder { get; }
}

/// <summary>
/// One campaign per output folder at a time (Invoke-MakeBackground, Invoke-MimicDataset): two campaigns
/// writing one out_dir with different settings mix their outputs silently.
/// <para>
/// The lock is advisory, taken with .NET's file-share locks, which on Linux are flock(2) locks: the
/// operating system releases them when the holding process dies, however it dies, so a killed
/// campaign never leaves the folder locked. The lock file <c>.gammapy-tools.lock</c> holds the
/// campaign's identity (a hash of what it is asked to do: the command, its settings and the config)
/// and who took it first. Every process of a campaign keeps a shared lock on that file while it runs, so
/// several processes of the <em>same</em> campaign (shards of one config and seed, on this host or on
/// cluster nodes sharing the folder) hold it together, while a campaign with another identity finds
/// it held and stops at once with an error naming the holder. Joining and taking the lock happen
/// under a short exclusive lock on <c>.gammapy-tools.lock.gate</c>, so that two processes never both
/// find the folder free. When the last holder ends, the next campaign of any identity may take it.
/// </para>
/// <para>
/// On NFS the kernel emulates flock with POSIX locks, which a process loses when it closes <em>any</em>
/// handle of the file: a holder never opens the lock file again while it holds it. Setting
/// DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns .NET's file locks, and so this lock, off.
/// </para>
/// </summary>
public sealed class CampaignLock : IDisposable
{
    public const string FileName = ".gammapy-tools.lock";
    public const string GateFileName = ".gammapy-tools.lock.gate";

    private FileStream? _hold;

    private CampaignLock(string folder, string identity, DateTime since, FileStream hold)
    {
        Folder = folder;
        Identity = identity;
        Since = since;
        _hold = hold;
    }

    public string Folder { get; }
    public string Identity { get; }
    /// <summary>When the current holders' campaign took the folder: the lock file's write time (on the file system's clock).</summary>
    public DateTime Since { get; }

    /// <summary>A short identity of a campaign: SHA-256 of its parts (command, settings, config text), 16 hex digits.</summary>
    public static string IdentityOf(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n\u0001", parts))))[..16].ToLowerInvariant();

    /// <summary>
    /// Takes (or joins, for the same <paramref name="identity"/>) the lock of <paramref name="folder"/> (created when absent).
    /// <paramref name="description"/> says in words what the campaign is, for the error another campaign gets.
    /// </summary>
    /// <exception cref="CampaignLockException">Another campaign holds the folder.</exception>
    public static CampaignLock Acquire(string folder, string identity, string description)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        using var gate = OpenGate(Path.Combine(folder, GateFileName));

        FileStream? exclusive = TryOpenExclusive(path);
        if (exclusive is not null)
        {
            // Nobody holds it: the folder is ours. Record who we are, then keep a shared lock.
            using (exclusive)
            {
                exclusive.SetLength(0);
                var text = $"{identity}\n{Environment.ProcessId}\n{AtomicFile.HostTag}\n{DateTime.UtcNow:O}\n{description.ReplaceLineEndings(" ")}\n";
                exclusive.Write(Encoding.UTF8.GetBytes(text));
                exclusive.Flush(flushToDisk: true);
            }
            return new CampaignLock(folder, identity, File.GetLastWriteTimeUtc(path), OpenShared(path));
        }

        // Held: by processes of the same campaign (join them) or of another one (refuse).
        var holder = File.ReadAllLines(path);
        string held = holder.Length > 0 ? holder[0] : "";
        if (held != identity)
        {
            string Line(int i) => holder.Length > i ? holder[i] : "?";
            throw new CampaignLockException(
                $"{folder} is in use by another campaign ({Line(4)}; started by process {Line(1)} on host {Line(2)} at {Line(3)} UTC). " +
                "One campaign per output folder at a time: wait for it to end, or choose another out_dir.", folder);
        }
        return new CampaignLock(folder, identity, File.GetLastWriteTimeUtc(path), OpenShared(path));
    }

    /// <summary>The gate is held only for the few milliseconds of taking or joining a lock: wait up to 10 s for it.</summary>
    private static FileStream OpenGate(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(20); }
        }
    }

    /// <summary>The lock file opened with an exclusive lock, or null when some process holds a lock on it.</summary>
    private static FileStream? TryOpenExclusive(string path)
    {
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) when (File.Exists(path)) { return null; }
    }

    // Read-only with FileShare.ReadWrite: .NET takes a shared flock (on every file system, read-only handles included).
    private static FileStream OpenShared(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);

    /// <summary>Releases this process's hold (the lock file stays; it is free when no process holds it).</summary>
    public void Dispose()
    {
        _hold?.Dispose();
        _hold = null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Folder} ({Identity}, since {Since:O})");
}
