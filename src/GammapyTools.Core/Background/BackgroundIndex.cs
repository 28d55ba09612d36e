using System.Security.Cryptography;
using System.Text;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>One run's background model as the index holds it, with the identity of the file it came from.</summary>
public sealed record BackgroundIndexEntry(long ObsId, string RelativePath, string HduName, long Size, long MtimeTicks, BackgroundModel Model);

/// <summary>A run whose background model could not be read while the index was built.</summary>
public sealed record BackgroundIndexFailure(long ObsId, string FilePath, string Message);

/// <summary>What <see cref="BackgroundIndex.Update"/> did to one search store's index.</summary>
public sealed record BackgroundIndexSummary
{
    public required string DataStore { get; init; }
    public required string IndexPath { get; init; }
    /// <summary>Runs of the store that have a background HDU.</summary>
    public required int Runs { get; init; }
    /// <summary>Models taken from the existing index (file unchanged).</summary>
    public required int Reused { get; init; }
    /// <summary>Models read from their FITS files (new runs, changed files, or no usable index).</summary>
    public required int Read { get; init; }
    /// <summary>Entries dropped because their run left the store.</summary>
    public required int Removed { get; init; }
    public required IReadOnlyList<BackgroundIndexFailure> Failed { get; init; }
    /// <summary>Why the existing index file was not trusted (truncated, bad checksum, other version), or null.</summary>
    public string? Rejected { get; init; }
    /// <summary>Null when the index file was written (or did not need to be); else why it could not be (the models are still usable).</summary>
    public string? WriteError { get; init; }
    public required bool Written { get; init; }
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>
/// A persistent index of a search store's background models, so that a fresh process does not
/// decompress every run to compare models: one binary file per store in a cache folder (default
/// <c>$XDG_CACHE_HOME/gammapytools</c>, else <c>~/.cache/gammapytools</c>; the store itself may be
/// read-only). Each entry is keyed by file identity (path relative to the store, size, mtime) and
/// re-read when the file changes. The file has a versioned header and a SHA-256 of its payload: a
/// truncated or corrupted index is detected and rebuilt, never trusted. Writes go to a temp file
/// in the cache folder then a rename, so processes (shards, nodes) sharing the folder never see a
/// partial index; concurrent builders each write a complete index and the last rename wins.
/// </summary>
public sealed class BackgroundIndex
{
    private static readonly byte[] Magic = "GPTBKGIX"u8.ToArray();
    public const int FormatVersion = 1;
    private const int HeaderLength = 8 + 4 + 4 + 8;   // magic, version, reserved, payload length
    private const int HashLength = 32;

    public BackgroundIndex(string? directory = null)
    {
        Directory = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(directory) ? DefaultDirectory() : directory);
    }

    /// <summary>The cache folder holding the index files.</summary>
    public string Directory { get; }

    /// <summary><c>$XDG_CACHE_HOME/gammapytools</c>, or <c>~/.cache/gammapytools</c> where XDG_CACHE_HOME is unset.</summary>
    public static string DefaultDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) && System.IO.Path.IsPathRooted(xdg)
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return System.IO.Path.Combine(root, "gammapytools");
    }

    /// <summary>The index file of a store: named after a hash of the store's full path (stores with the same folder name do not collide).</summary>
    public string PathFor(string storeRoot)
    {
        string root = System.IO.Path.GetFullPath(storeRoot).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16];
        string name = System.IO.Path.GetFileName(root);
        name = new string(name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_').ToArray());
        return System.IO.Path.Combine(Directory, $"bkg-{name}-{hash}.gtbi");
    }

    /// <summary>
    /// Brings a store's index up to date: every run's background model, reused from the index
    /// where its file is unchanged, read (in parallel) where not; entries of runs that left the
    /// store dropped; the index rewritten atomically when anything changed. Returns the models by
    /// (full file path, upper-case HDU name) and the summary. A failure to write the index (a
    /// read-only cache folder) is reported in the summary, not thrown: the models are still good.
    /// </summary>
    public (IReadOnlyDictionary<(string File, string Hdu), BackgroundModel> Models, BackgroundIndexSummary Summary) Update(
        DataStore store, int maxParallelism = -1, IProgress<(int Done, int Total)>? progress = null,
        bool rebuild = false, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string path = PathFor(store.Root);
        string? rejected = null;
        // Entries are decoded only where their file is unchanged (the others are read again anyway).
        Dictionary<(string, string), BackgroundIndexFile.Slot> existing = [];
        BackgroundIndexFile? file = null;
        if (!rebuild)
        {
            (file, rejected) = TryOpen(path, store.Root);
            if (file is not null)
                foreach (var e in file.Entries) existing[(e.RelativePath, e.HduName.ToUpperInvariant())] = e;
        }

        // Every run's background HDU, with the identity of its file now.
        var wanted = new List<(long ObsId, HduLocation Location, string Relative)>();
        foreach (long id in store.ObsIds)
        {
            var bkg = store.HdusOf(id).FirstOrDefault(h => h.HduType == "bkg");
            if (bkg is not null) wanted.Add((id, bkg, System.IO.Path.GetRelativePath(store.Root, bkg.FilePath)));
        }

        var result = new BackgroundIndexEntry?[wanted.Count];
        var failures = new BackgroundIndexFailure?[wanted.Count];
        int reused = 0, read = 0, done = 0;
        Parallel.For(0, wanted.Count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken }, i =>
        {
            var (id, location, relative) = wanted[i];
            try
            {
                var info = new FileInfo(location.FilePath);
                if (!info.Exists) throw new FileNotFoundException("the background model's file does not exist", location.FilePath);
                long size = info.Length, mtime = info.LastWriteTimeUtc.Ticks;
                if (existing.TryGetValue((relative, location.HduName.ToUpperInvariant()), out var old) && old.Size == size && old.MtimeTicks == mtime)
                {
                    result[i] = file!.Decode(old) with { ObsId = id };
                    Interlocked.Increment(ref reused);
                }
                else
                {
                    var model = BackgroundModel.Read(location);
                    // A file rewritten while we read it gets the new identity next time, not a stale model now.
                    var after = new FileInfo(location.FilePath);
                    if (after.Length != size || after.LastWriteTimeUtc.Ticks != mtime) mtime = long.MinValue;
                    result[i] = new BackgroundIndexEntry(id, relative, location.HduName, size, mtime, model);
                    Interlocked.Increment(ref read);
                }
            }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
            {
                failures[i] = new BackgroundIndexFailure(id, location.FilePath, e.Message);
            }
            progress?.Report((Interlocked.Increment(ref done), wanted.Count));
        });

        var entriesNow = result.Where(e => e is not null).Select(e => e!).ToList();
        var kept = entriesNow.Select(e => (e.RelativePath, e.HduName.ToUpperInvariant())).ToHashSet();
        int removed = existing.Keys.Count(k => !kept.Contains(k));
        bool changed = read > 0 || removed > 0 || rejected is not null || rebuild || (!File.Exists(path) && entriesNow.Count > 0);
        string? writeError = null;
        bool written = false;
        if (changed)
        {
            try { Write(path, store.Root, entriesNow); written = true; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                writeError = $"the background index {path} could not be written: {e.Message}";
            }
        }

        var models = new Dictionary<(string, string), BackgroundModel>(entriesNow.Count);
        foreach (var e in entriesNow)
            models[(System.IO.Path.GetFullPath(System.IO.Path.Combine(store.Root, e.RelativePath)), e.HduName.ToUpperInvariant())] = e.Model;
        var summary = new BackgroundIndexSummary
        {
            DataStore = store.Root, IndexPath = path, Runs = wanted.Count, Reused = reused, Read = read, Removed = removed,
            Failed = failures.Where(f => f is not null).Select(f => f!).ToList(), Rejected = rejected,
            WriteError = writeError, Written = written, Elapsed = clock.Elapsed,
        };
        return (models, summary);
    }

    // ------------------------------------------------------------------ file format
    // Header: "GPTBKGIX", int32 version, int32 reserved (0), int64 payload length; then the payload;
    // then SHA-256 of the payload. Payload: store root (string), int32 entry count, and per entry:
    // OBS_ID (int64), path relative to the store, HDU name, file size (int64), mtime ticks UTC
    // (int64), model class, int32 axis count, per axis int32 edge count + edges (float64), int32
    // value count + values (float64, file order). Strings are BinaryWriter's length-prefixed UTF-8.

    /// <summary>Writes an index atomically (temp file in the cache folder, then rename).</summary>
    public static void Write(string path, string storeRoot, IReadOnlyList<BackgroundIndexEntry> entries)
    {
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(System.IO.Path.GetFullPath(storeRoot));
            w.Write(entries.Count);
            foreach (var e in entries)
            {
                w.Write(e.ObsId);
                w.Write(e.RelativePath);
                w.Write(e.HduName);
                w.Write(e.Size);
                w.Write(e.MtimeTicks);
                w.Write(e.Model.HduClass);
                w.Write(e.Model.Axes.Count);
                foreach (var axis in e.Model.Axes) WriteDoubles(w, axis);
                WriteDoubles(w, e.Model.Values);
            }
        }
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        string folder = System.IO.Path.GetDirectoryName(path)!;
        System.IO.Directory.CreateDirectory(folder);
        // Named as AtomicFile names its temp files (writer's PID and host), so that BackgroundIndexCache finds dead writers' leftovers.
        string temp = System.IO.Path.Combine(folder, Output.AtomicFile.TempName(System.IO.Path.GetFileName(path)));
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Span<byte> header = stackalloc byte[HeaderLength];
                Magic.CopyTo(header);
                BitConverter.TryWriteBytes(header[8..], FormatVersion);
                BitConverter.TryWriteBytes(header[12..], 0);
                BitConverter.TryWriteBytes(header[16..], (long)bytes.Length);
                f.Write(header);
                f.Write(bytes);
                f.Write(SHA256.HashData(bytes));
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Reads an index file: its entries, or null and why it is not trusted (missing, truncated,
    /// wrong magic or version, checksum mismatch, made for another store, unparsable).
    /// </summary>
    public static (IReadOnlyList<BackgroundIndexEntry>? Entries, string? Rejected) TryRead(string path, string storeRoot)
    {
        var (file, rejected) = TryOpen(path, storeRoot);
        if (file is null) return (null, rejected);
        try { return (file.Entries.Select(file.Decode).ToList(), null); }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or IOException or InvalidDataException or OverflowException)
        {
            return (null, $"unparsable: {e.Message}");
        }
    }

    /// <summary>
    /// Opens an index file with every check <see cref="TryRead"/> makes (header, length, SHA-256 of
    /// the whole payload, store, the layout of every entry) but decodes no model: a search that
    /// compares a few hundred of 30,000 runs decodes those only (<see cref="BackgroundIndexFile.Decode"/>).
    /// Null and why when the file is missing or not trusted.
    /// </summary>
    public static (BackgroundIndexFile? File, string? Rejected) TryOpen(string path, string storeRoot)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return (null, null); }
        catch (DirectoryNotFoundException) { return (null, null); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (null, $"unreadable: {e.Message}"); }

        if (bytes.Length < HeaderLength + HashLength) return (null, "truncated (shorter than its header)");
        if (!bytes.AsSpan(0, 8).SequenceEqual(Magic)) return (null, "not a background index (bad magic)");
        int version = BitConverter.ToInt32(bytes, 8);
        if (version != FormatVersion) return (null, $"format version {version}, not {FormatVersion}");
        long length = BitConverter.ToInt64(bytes, 16);
        if (length < 0 || HeaderLength + length + HashLength != bytes.Length) return (null, "truncated or padded (length does not match its header)");
        var payload = bytes.AsSpan(HeaderLength, (int)length);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(HeaderLength + (int)length, HashLength)))
            return (null, "checksum mismatch (corrupted)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, HeaderLength, (int)length, writable: false), Encoding.UTF8);
            string root = r.ReadString();
            if (root != System.IO.Path.GetFullPath(storeRoot)) return (null, $"made for another store ({root})");
            int count = r.ReadInt32();
            if (count < 0) throw new InvalidDataException($"{count} entries");
            var entries = new List<BackgroundIndexFile.Slot>(count);
            for (int i = 0; i < count; i++)
            {
                long obsId = r.ReadInt64();
                string relative = r.ReadString(), hdu = r.ReadString();
                long size = r.ReadInt64(), mtime = r.ReadInt64();
                long offset = r.BaseStream.Position;
                // The layout is walked (lengths checked against the payload) so a structurally bad
                // file is refused here, as when every model was decoded at once.
                r.ReadString();
                int axes = r.ReadInt32();
                if (axes < 0) throw new InvalidDataException($"{axes} axes");
                for (int a = 0; a <= axes; a++) SkipDoubles(r);
                entries.Add(new BackgroundIndexFile.Slot(obsId, relative, hdu, size, mtime, HeaderLength + (int)offset));
            }
            if (r.BaseStream.Position != length) throw new InvalidDataException("bytes after the last entry");
            return (new BackgroundIndexFile(bytes, storeRoot, entries), null);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or IOException or InvalidDataException or OverflowException)
        {
            return (null, $"unparsable: {e.Message}");
        }
    }

    private static void SkipDoubles(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > 100_000_000) throw new InvalidDataException($"array of {n} values");
        long next = r.BaseStream.Position + 8L * n;
        if (next > r.BaseStream.Length) throw new EndOfStreamException();
        r.BaseStream.Position = next;
    }

    /// <summary>Reads one model at a payload position (its class, axes, values), as <see cref="Write"/> put it.</summary>
    internal static BackgroundModel ReadModel(byte[] bytes, int offset, string source)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, offset, bytes.Length - offset, writable: false), Encoding.UTF8);
        string cls = r.ReadString();
        int axes = r.ReadInt32();
        var edges = new double[axes][];
        for (int a = 0; a < axes; a++) edges[a] = ReadDoubles(r);
        return new BackgroundModel(cls, edges, ReadDoubles(r), source);
    }

    private static void WriteDoubles(BinaryWriter w, double[] values)
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static double[] ReadDoubles(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > 100_000_000) throw new InvalidDataException($"array of {n} values");
        var values = new double[n];
        var span = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (r.Read(span) != span.Length) throw new EndOfStreamException();
        return values;
    }
}

/// <summary>
/// A verified background index file held in memory, its models decoded on demand (see
/// <see cref="BackgroundIndex.TryOpen"/>). Thread-safe: decoding only reads the bytes.
/// </summary>
public sealed class BackgroundIndexFile
{
    /// <summary>One entry: its file identity and where its model starts.</summary>
    public sealed record Slot(long ObsId, string RelativePath, string HduName, long Size, long MtimeTicks, int Offset);

    private readonly byte[] _bytes;
    private readonly Dictionary<(string Relative, string Hdu), Slot> _byFile;

    internal BackgroundIndexFile(byte[] bytes, string storeRoot, IReadOnlyList<Slot> entries)
    {
        _bytes = bytes;
        StoreRoot = storeRoot;
        Entries = entries;
        _byFile = new Dictionary<(string, string), Slot>(entries.Count);
        foreach (var e in entries) _byFile[(e.RelativePath, e.HduName.ToUpperInvariant())] = e;
    }

    public string StoreRoot { get; }
    public IReadOnlyList<Slot> Entries { get; }

    /// <summary>The entry of a file's HDU (path relative to the store, HDU name in any case), or null.</summary>
    public Slot? Find(string relativePath, string hduName) => _byFile.GetValueOrDefault((relativePath, hduName.ToUpperInvariant()));

    /// <summary>An entry with its model decoded.</summary>
    public BackgroundIndexEntry Decode(Slot slot) => new(slot.ObsId, slot.RelativePath, slot.HduName, slot.Size, slot.MtimeTicks,
        BackgroundIndex.ReadModel(_bytes, slot.Offset, $"{System.IO.Path.Combine(StoreRoot, slot.RelativePath)}[{slot.HduName}]"));
}
