using System.Text;
using GammapyTools.Dl3;
using GammapyTools.Output;

namespace GammapyTools.Background;

/// <summary>Why a file of the background-index cache folder goes.</summary>
public enum BackgroundCacheFileKind
{
    /// <summary>The index of a data store that no longer exists.</summary>
    Orphaned,
    /// <summary>A temporary file left by an index writer that is no longer running.</summary>
    DeadWriter,
    /// <summary>The index of a data store named by the caller.</summary>
    Requested,
}

/// <summary>A file of the background-index cache folder that <see cref="BackgroundIndexCache"/> would remove, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind">What it is.</param>
/// <param name="DataStore">The data store the index was made for (null for a temporary file).</param>
/// <param name="Reason">Why it goes, in words.</param>
/// <param name="Length">Its size in bytes.</param>
public sealed record BackgroundCacheFile(string Path, BackgroundCacheFileKind Kind, string? DataStore, string Reason, long Length);

/// <summary>
/// Housekeeping of the cache folder of <see cref="BackgroundIndex"/> (Remove-BackgroundIndex): nothing
/// else removes the index of a data store that was deleted, so campaigns over many short-lived stores
/// (shards' scratch copies, tests) would fill the folder. Only reads the start of each index file (the
/// header and the store's root path that begins its payload), so it does not depend on the entries'
/// layout and keeps working across format versions that keep that start.
/// </summary>
public static class BackgroundIndexCache
{
    // As BackgroundIndex writes them: "GPTBKGIX", int32 version, int32 reserved, int64 payload length, then the payload (store root first).
    private static readonly byte[] Magic = "GPTBKGIX"u8.ToArray();
    private const int HeaderLength = 8 + 4 + 4 + 8;

    /// <summary>A writer takes seconds per index: a temporary file untouched for an hour whose writer cannot be asked (another host) is dead.</summary>
    public static readonly TimeSpan TempFileAge = TimeSpan.FromHours(1);

    /// <summary>
    /// The files of <paramref name="directory"/> that are of no use: the index files of data stores that no
    /// longer exist (or no longer have an HDU index), and the temporary files of index writers that have
    /// died (see <see cref="StaleTempFiles"/>; on another host: older than <see cref="TempFileAge"/>).
    /// A file whose store cannot be read from it is kept (another program's, or a format this version does not know).
    /// </summary>
    public static IReadOnlyList<BackgroundCacheFile> FindUnused(string directory)
    {
        var files = new List<BackgroundCacheFile>();
        if (!Directory.Exists(directory)) return files;
        foreach (string path in Directory.EnumerateFiles(directory, "bkg-*.gtbi").Order(StringComparer.Ordinal))
        {
            if (StoreRootOf(path) is not { } root || WhyUnused(root) is not { } reason) continue;
            files.Add(new BackgroundCacheFile(path, BackgroundCacheFileKind.Orphaned, root, reason, LengthOf(path)));
        }
        foreach (string path in StaleTempFiles.Find(directory, DateTime.UtcNow - TempFileAge).Order(StringComparer.Ordinal))
            files.Add(new BackgroundCacheFile(path, BackgroundCacheFileKind.DeadWriter, null, "temporary file of an index writer that is no longer running", LengthOf(path)));
        return files;
    }

    /// <summary>The index file of the data store at <paramref name="storeRoot"/> in <paramref name="index"/>'s folder (the store need not exist), or null when there is none.</summary>
    public static BackgroundCacheFile? IndexOf(BackgroundIndex index, string storeRoot)
    {
        string path = index.PathFor(storeRoot);
        return File.Exists(path) ? new BackgroundCacheFile(path, BackgroundCacheFileKind.Requested, System.IO.Path.GetFullPath(storeRoot), "its data store was named", LengthOf(path)) : null;
    }

    /// <summary>
    /// Deletes a file found by <see cref="FindUnused"/> or <see cref="IndexOf"/>. An unused index is checked
    /// again first: when its store has come back meanwhile (or its file was rewritten for a live store) it is
    /// kept and false returned; false too when the file is already gone.
    /// </summary>
    public static bool Remove(BackgroundCacheFile file)
    {
        if (!File.Exists(file.Path)) return false;
        if (file.Kind == BackgroundCacheFileKind.Orphaned && WhyUnused(file.DataStore!) is null) return false;
        File.Delete(file.Path);
        return true;
    }

    /// <summary>The data store an index file was made for (the full path recorded at the start of its payload), or null when the file is not a readable index.</summary>
    public static string? StoreRootOf(string indexPath)
    {
        try
        {
            using var stream = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (stream.Length < HeaderLength || !r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            r.ReadInt32();
            r.ReadInt32();
            long length = r.ReadInt64();
            if (length <= 0 || HeaderLength + length > stream.Length) return null;
            string root = r.ReadString();
            return root.Length > 0 && System.IO.Path.IsPathFullyQualified(root) ? root : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Why the index of the store at <paramref name="root"/> is of no use, or null when the store is there.</summary>
    private static string? WhyUnused(string root)
    {
        if (!Directory.Exists(root)) return $"its data store {root} no longer exists";
        if (!DataStore.HduIndexNames.Any(n => File.Exists(System.IO.Path.Combine(root, n)))) return $"{root} is no longer a data store (no HDU index)";
        return null;
    }

    private static long LengthOf(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }
}
