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
/// One campaign per output folder at a time (Invoke-MakeBackground, Invoke-MimicDataset, Complete-*): two campaigns
/// writing one out_dir with different settings mix their outputs silently.
/// <para>
/// The lock is advisory, taken with .NET's file-share locks, which on Linux are flock(2) locks: the
/// operating system releases them when the holding process dies, however it dies, so a killed
/// campaign never leaves the folder locked. The lock file <c>.gammapy-tools.lock</c> holds the
/// campaign's identity (a hash of what it is asked to do: the command, its settings and the config)
/// and who took it first; the gate file (below) lists every process that joined it since (PID, host,
/// time), so that a refusal names a process that may still hold it. Every process of a campaign
/// keeps a shared lock on the lock file while it runs, so several processes of the <em>same</em>
/// campaign (shards of one config and seed, on this host or on cluster nodes sharing the folder) hold
/// it together, while a campaign with another identity finds
/// it held and stops at once with an error naming the holder. Joining and taking the lock happen
/// under a short exclusive lock on <c>.gammapy-tools.lock.gate</c>, so that two processes never both
/// find the folder free. When the last holder ends, the next campaign of any identity may take it.
/// A campaign's final step (Complete-*) takes it with <see cref="AcquireSole"/>: only when no process
/// holds it, and no process joins it meanwhile.
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
    /// The identity of a process of a campaign: the campaign (what its final step, Complete-*, can name
    /// too: the command, the config, the seed) and the settings this process adds (switches such as
    /// -Force); processes share the folder only when both match.
    /// </summary>
    public static string MemberIdentity(string campaign, string settings) => $"{campaign}+{settings}";

    private static string CampaignOf(string identity) => identity.Split('+')[0];

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
        return TryTake(folder, path, gate, identity, description) ?? Join(folder, path, gate, identity);
    }

    /// <summary>
    /// Takes the lock of <paramref name="folder"/> for a step that must have it to itself: the final
    /// step of campaign <paramref name="campaign"/> (Complete-*), which indexes outputs that nothing may
    /// be writing. While processes of the same campaign (its shards) still hold the folder, waits up to
    /// <paramref name="wait"/> for them to end; while holding it, no process joins (a shard started
    /// meanwhile is refused, naming this step). Another campaign's lock is refused at once.
    /// </summary>
    /// <exception cref="CampaignLockException">Another campaign holds the folder, or this campaign's processes still do after <paramref name="wait"/>.</exception>
    public static CampaignLock AcquireSole(string folder, string campaign, string description, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            HolderRecord held;
            using (var gate = OpenGate(Path.Combine(folder, GateFileName)))
            {
                // Its identity is the campaign alone, which no member identity equals: nobody joins it.
                if (TryTake(folder, path, gate, campaign, description) is { } taken) return taken;
                held = HolderRecord.Read(path, gate);
            }
            if (CampaignOf(held.Identity) != campaign) throw Refused(folder, held);
            if (DateTime.UtcNow >= deadline)
                throw new CampaignLockException(
                    $"{folder} is still in use by processes of this same campaign ({held.Describe()}), waited {wait.TotalSeconds:0} s. " +
                    "The final step needs the folder to itself: run it again when the campaign's shards have ended, or let it wait longer (-Timeout).", folder);
            if (cancellationToken.WaitHandle.WaitOne(250)) cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Under the gate: the lock taken when no process holds it (this process recorded as its first holder), else null.</summary>
    private static CampaignLock? TryTake(string folder, string path, FileStream gate, string identity, string description)
    {
        FileStream? exclusive = TryOpenExclusive(path);
        if (exclusive is null) return null;
        gate.SetLength(0); // the processes that joined the previous campaign
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

    /// <summary>
    /// Under the gate, the lock being held: joins processes of the same campaign or refuses another one.
    /// A process that joins is recorded in the gate file (the lock file is left as its first holder
    /// wrote it: its write time is the campaign's <see cref="Since"/>), so that a refusal names a
    /// process that may still hold the folder, not only the first, which may have ended.
    /// </summary>
    private static CampaignLock Join(string folder, string path, FileStream gate, string identity)
    {
        var held = HolderRecord.Read(path, gate);
        if (held.Identity != identity) throw Refused(folder, held);
        gate.Seek(0, SeekOrigin.End);
        gate.Write(Encoding.UTF8.GetBytes($"{Environment.ProcessId}\t{AtomicFile.HostTag}\t{DateTime.UtcNow:O}\n"));
        gate.Flush(flushToDisk: true);
        return new CampaignLock(folder, identity, File.GetLastWriteTimeUtc(path), OpenShared(path));
    }

    private static CampaignLockException Refused(string folder, HolderRecord held) => new(
        $"{folder} is in use by another campaign ({held.Describe()}). " +
        "One campaign per output folder at a time: wait for it to end, or choose another out_dir.", folder);

    /// <summary>
    /// Who holds the folder: the identity and description of the campaign and who took it (the lock
    /// file), then the processes that joined since (one line each in the gate file: PID, host, time).
    /// </summary>
    private sealed record HolderRecord(string Identity, string Description, IReadOnlyList<(string Pid, string Host, string Since)> Holders)
    {
        /// <summary>Under the gate (<paramref name="gate"/>: its open handle).</summary>
        public static HolderRecord Read(string path, FileStream gate)
        {
            var lines = File.ReadAllText(path).Split('\n');
            string Line(int i) => lines.Length > i && lines[i].Length > 0 ? lines[i] : "?";
            var holders = new List<(string, string, string)> { (Line(1), Line(2), Line(3)) };
            gate.Seek(0, SeekOrigin.Begin);
            foreach (string joined in new StreamReader(gate, Encoding.UTF8, leaveOpen: true).ReadToEnd().Split('\n'))
                if (joined.Split('\t') is [var pid, var host, var since]) holders.Add((pid, host, since));
            return new HolderRecord(lines[0], Line(4), holders);
        }

        /// <summary>The description and the holders, the first holder first, the latest to join last; processes of this host that have ended are marked.</summary>
        public string Describe()
        {
            string Holder((string Pid, string Host, string Since) h) =>
                $"process {h.Pid} on host {h.Host}{(Ended(h.Pid, h.Host) ? " (ended)" : "")}";
            var first = Holders[0];
            var text = new StringBuilder($"{Description}; started by {Holder(first)} at {first.Since} UTC");
            var joined = Holders.Skip(1).ToList();
            if (joined.Count > 0)
            {
                // The latest ones are likeliest to hold it still.
                var shown = joined.TakeLast(5).ToList();
                text.Append("; joined by ");
                if (joined.Count > shown.Count) text.Append($"{joined.Count - shown.Count} more, then ");
                text.Append(string.Join(", ", shown.Select(h => $"{Holder(h)} at {h.Since} UTC")));
            }
            return text.ToString();
        }

        /// <summary>True when the process is of this host and no longer runs (another host's processes cannot be told).</summary>
        private static bool Ended(string pid, string host)
        {
            if (host != AtomicFile.HostTag || !int.TryParse(pid, out int id)) return false;
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(id);
                return process.HasExited;
            }
            catch (ArgumentException) { return true; }
            catch (InvalidOperationException) { return true; }
        }
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
