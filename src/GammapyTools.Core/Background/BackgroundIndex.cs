using System.Security.Cryptography;
using System.Text;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>
/// One run's background model as the index holds it, with the identity of the file it came from,
/// the SHA-256 (lower-case hex) of the background HDU's bytes as stored (header, data and padding;
/// for a gzipped file in the decompressed stream) and, for a gzipped file, the SHA-256 of the
/// file's own (compressed) bytes (empty for a plain file: hashing a large events file would cost
/// more than reading the HDU).
/// </summary>
public sealed record BackgroundIndexEntry(long ObsId, string RelativePath, string HduName, long Size, long MtimeTicks, string HduHash,
    string FileHash, BackgroundModel Model);

/// <summary>
/// One run's header values as the index holds them (every value a <see cref="Run"/> carries, so the
/// selection criteria read them), taken from the store's obs-index row or, where the store has no
/// row for the run, from its EVENTS header (<paramref name="FromEventsHeader"/>); with the identity
/// of the file they were read from (the obs-index or the events file: path relative to the store,
/// size, mtime), so an update takes them again only from a changed file.
/// </summary>
public sealed record BackgroundIndexRun(long ObsId, bool FromEventsHeader, string SourcePath, long SourceSize, long SourceMtimeTicks, Run Run);

/// <summary>What <see cref="BackgroundIndex.Refresh"/> gives: the index's entries and runs now, and the summary.</summary>
public sealed record BackgroundIndexContents(IReadOnlyList<BackgroundIndexEntry> Entries, IReadOnlyList<BackgroundIndexRun> Runs,
    BackgroundIndexSummary Summary)
{
    /// <summary>The models by (full file path, upper-case HDU name).</summary>
    public required IReadOnlyDictionary<(string File, string Hdu), BackgroundModel> Models { get; init; }
}

/// <summary>A run whose background model could not be read while the index was built.</summary>
public sealed record BackgroundIndexFailure(long ObsId, string FilePath, string Message);

/// <summary>What <see cref="BackgroundIndex.Update"/> did to one search store's index.</summary>
public sealed record BackgroundIndexSummary
{
    public required string DataStore { get; init; }
    public required string IndexPath { get; init; }
    /// <summary>Runs of the store that have a background HDU.</summary>
    public required int Runs { get; init; }
    /// <summary>Models taken from the existing index (file unchanged: same size and mtime).</summary>
    public required int Reused { get; init; }
    /// <summary>
    /// Models taken from the existing index although their file's size or mtime changed, because the
    /// bytes hash to the same SHA-256: a gzipped file's own bytes (a touched or copied file: nothing
    /// decompressed), else the background HDU's bytes (an events-only rewrite: the HDU was read and
    /// hashed, not decoded).
    /// </summary>
    public int Rehashed { get; init; }
    /// <summary>Models read (decoded) from their FITS files (new runs, changed HDUs, or no usable index).</summary>
    public required int Read { get; init; }
    /// <summary>EVENTS headers read from files for runs without an obs-index row (new runs or changed files; the others are reused).</summary>
    public int HeadersRead { get; init; }
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
/// records a SHA-256 of the background HDU's bytes (and of a .gz file's own bytes): when the file's
/// size or mtime changes, Update hashes the file (or the HDU) again and keeps the model when the
/// bytes are the same, re-reads it otherwise.
/// Each run's header values (obs-index row, or EVENTS header where the store has no row) are kept
/// too, so listing a store without obs-index rows opens no events file while it is unchanged
/// (<see cref="BackgroundModelCache.Runs"/>). The file has a versioned header and a SHA-256 of its payload: a
/// truncated or corrupted index is detected and rebuilt, never trusted. Writes go to a temp file
/// in the cache folder then a rename, so processes (shards, nodes) sharing the folder never see a
/// partial index; concurrent builders each write a complete index and the last rename wins.
/// </summary>
public sealed class BackgroundIndex
{
    private static readonly byte[] Magic = "GPTBKGIX"u8.ToArray();
    // 2: HDU content hashes and the runs' header values.
    public const int FormatVersion = 2;
    internal const int HeaderLength = 8 + 4 + 4 + 8;   // magic, version, reserved, payload length
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
    /// Brings a store's index up to date (see <see cref="Refresh"/>) and returns the models by
    /// (full file path, upper-case HDU name) and the summary.
    /// </summary>
    public (IReadOnlyDictionary<(string File, string Hdu), BackgroundModel> Models, BackgroundIndexSummary Summary) Update(
        DataStore store, int maxParallelism = -1, IProgress<(int Done, int Total)>? progress = null,
        bool rebuild = false, CancellationToken cancellationToken = default)
    {
        var contents = Refresh(store, maxParallelism, progress, rebuild, cancellationToken);
        return (contents.Models, contents.Summary);
    }

    /// <summary>
    /// Brings a store's index up to date: every run's background model, reused from the index
    /// where its file is unchanged (size, mtime), or where it changed but its bytes hash the same
    /// (a .gz file's own bytes: not even decompressed; else the background HDU's: not decoded),
    /// read (in parallel) otherwise; every run's header values, from the obs-index row or from the
    /// EVENTS header, reused while the file they came from is unchanged (or has the same bytes),
    /// else read (an EVENTS header in the same pass as the model when they share a file); entries of runs
    /// that left the store dropped; the index rewritten atomically when its contents changed. A
    /// failure to write the index (a read-only cache folder) is reported in the summary, not
    /// thrown: the models are still good.
    /// </summary>
    public BackgroundIndexContents Refresh(DataStore store, int maxParallelism = -1, IProgress<(int Done, int Total)>? progress = null,
        bool rebuild = false, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string path = PathFor(store.Root);
        string? rejected = null;
        BackgroundIndexFile? file = null;
        if (!rebuild) (file, rejected) = TryOpen(path, store.Root);

        (string Path, long Size, long MtimeTicks) obsIndex = ("", -1, long.MinValue);
        if (store.ObsIndexPath is { } obsPath)
        {
            var (size, mtime) = IdentityOf(obsPath);
            obsIndex = (System.IO.Path.GetRelativePath(store.Root, obsPath), size, mtime);
        }
        var ids = store.ObsIds;
        var entries = new BackgroundIndexEntry?[ids.Count];
        var runs = new BackgroundIndexRun?[ids.Count];
        var failures = new BackgroundIndexFailure?[ids.Count];
        int withModel = 0, reused = 0, rehashed = 0, read = 0, headers = 0, done = 0;
        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken }, i =>
        {
            long id = ids[i];
            var hdus = store.HdusOf(id);
            var events = hdus.First(h => h.HduType == "events");   // ObsIds lists runs with one
            var bkg = hdus.FirstOrDefault(h => h.HduType == "bkg");
            var (eventsSize, eventsMtime) = IdentityOf(events.FilePath);
            bool fromEvents = !store.HasObsIndexRow(id);
            // The values are reused while the file they came from (obs-index or events file) is unchanged.
            var (source, sourceSize, sourceMtime) = fromEvents
                ? (System.IO.Path.GetRelativePath(store.Root, events.FilePath), eventsSize, eventsMtime) : obsIndex;
            Run? run = null;
            if (file?.FindRun(id) is { } slot && slot.FromEventsHeader == fromEvents && slot.SourcePath == source
                && slot.SourceSize == sourceSize && slot.SourceMtimeTicks == sourceMtime)
                run = TryGetRun(() => file.DecodeRun(slot, events.FilePath, store.Root, hdus));
            if (run is null && !fromEvents) run = TryGetRun(() => store.GetRun(id));
            bool needHeader = fromEvents && run is null, headerRead = false;

            if (bkg is not null)
            {
                Interlocked.Increment(ref withModel);
                string relative = System.IO.Path.GetRelativePath(store.Root, bkg.FilePath);
                try
                {
                    var (size, mtime) = bkg.FilePath == events.FilePath ? (eventsSize, eventsMtime) : IdentityOf(bkg.FilePath);
                    if (size < 0) throw new FileNotFoundException("the background model's file does not exist", bkg.FilePath);
                    var old = file?.Find(relative, bkg.HduName);
                    if (old is not null && old.Size == size && old.MtimeTicks == mtime)
                    {
                        entries[i] = file!.Decode(old) with { ObsId = id };
                        Interlocked.Increment(ref reused);
                    }
                    else if (old is not null && old.FileHash.Length > 0 && old.FileHash == HashFile(bkg.FilePath))
                    {
                        // The same bytes (a touched or copied .gz file): model and header values kept, nothing decompressed.
                        entries[i] = file!.Decode(old) with { ObsId = id, Size = size, MtimeTicks = Unchanged(bkg.FilePath, size, mtime) ? mtime : long.MinValue };
                        Interlocked.Increment(ref rehashed);
                        if (needHeader && events.FilePath == bkg.FilePath && file.FindRun(id) is { FromEventsHeader: true } same && same.SourcePath == source)
                        {
                            run = TryGetRun(() => file.DecodeRun(same, events.FilePath, store.Root, hdus));
                            (needHeader, headerRead) = (run is null, run is not null);
                        }
                    }
                    else
                    {
                        entries[i] = FitsException.Guard(bkg.FilePath, () =>
                        {
                            using var f = FitsFile.Open(bkg.FilePath);
                            var info = HduClassifier.Find(f, bkg);
                            string hash = Convert.ToHexStringLower(f.HashHdu(info));
                            string fileHash = f.IsCompressed ? HashFile(bkg.FilePath) : "";
                            BackgroundModel model;
                            if (old is not null && old.HduHash == hash)
                            {
                                model = file!.Decode(old).Model;
                                Interlocked.Increment(ref rehashed);
                            }
                            else
                            {
                                model = BackgroundModel.Read(f, info, bkg);
                                Interlocked.Increment(ref read);
                            }
                            // One pass for a run whose events share the model's file (DL3 files usually hold both).
                            if (needHeader && events.FilePath == bkg.FilePath)
                            {
                                run = TryGetRun(() => store.RunFromEventsFile(id, f));
                                (needHeader, headerRead) = (false, true);
                                Interlocked.Increment(ref headers);
                            }
                            // A file rewritten while we read it gets the new identity next time, not a stale model now
                            // (and no file hash: it may be of the new bytes, not of those the model came from).
                            bool stable = Unchanged(bkg.FilePath, size, mtime);
                            return new BackgroundIndexEntry(id, relative, bkg.HduName, size, stable ? mtime : long.MinValue, hash, stable ? fileHash : "", model);
                        });
                    }
                }
                catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
                {
                    failures[i] = new BackgroundIndexFailure(id, bkg.FilePath, e.Message);
                }
            }
            if (needHeader)
            {
                // A run whose header cannot be read gets no values: listing it reads its file (and reports why) as without an index.
                run = TryGetRun(() => store.GetRun(id));
                headerRead = true;
                Interlocked.Increment(ref headers);
            }
            // A header read from a file rewritten meanwhile gets the new identity next time, not stale values now.
            if (run is not null)
                runs[i] = new BackgroundIndexRun(id, fromEvents, source, sourceSize,
                    headerRead && !Unchanged(events.FilePath, eventsSize, eventsMtime) ? long.MinValue : sourceMtime, run);
            progress?.Report((Interlocked.Increment(ref done), ids.Count));
        });

        var entriesNow = entries.OfType<BackgroundIndexEntry>().ToList();
        var runsNow = runs.OfType<BackgroundIndexRun>().ToList();
        var kept = entriesNow.Select(e => (e.RelativePath, e.HduName.ToUpperInvariant())).ToHashSet();
        int removed = file?.Entries.Select(e => (e.RelativePath, e.HduName.ToUpperInvariant())).Distinct().Count(k => !kept.Contains(k)) ?? 0;
        // The index is rewritten only when its contents changed (the payload is compared byte for byte).
        byte[] payload = Serialize(store.Root, runsNow, entriesNow);
        string? writeError = null;
        bool written = false;
        if (rebuild || file is null || !file.HasPayload(payload))
        {
            try { WritePayload(path, payload); written = true; }
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
            DataStore = store.Root, IndexPath = path, Runs = withModel, Reused = reused, Rehashed = rehashed, Read = read,
            HeadersRead = headers, Removed = removed, Failed = failures.OfType<BackgroundIndexFailure>().ToList(), Rejected = rejected,
            WriteError = writeError, Written = written, Elapsed = clock.Elapsed,
        };
        return new BackgroundIndexContents(entriesNow, runsNow, summary) { Models = models };
    }

    /// <summary>A file's size and mtime (UTC ticks), or (-1, MinValue) when it does not exist.</summary>
    internal static (long Size, long MtimeTicks) IdentityOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : (-1, long.MinValue);
    }

    private static bool Unchanged(string path, long size, long mtime) => IdentityOf(path) == (size, mtime);

    /// <summary>SHA-256 (lower-case hex) of a file's bytes as stored (for a .gz file, the compressed bytes).</summary>
    private static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static Run? TryGetRun(Func<Run> get)
    {
        try { return get(); }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException) { return null; }
    }

    // ------------------------------------------------------------------ file format
    // Header: "GPTBKGIX", int32 version, int32 reserved (0), int64 payload length; then the payload;
    // then SHA-256 of the payload. Payload: store root (string); int32 run count, and per run:
    // OBS_ID (int64), from-EVENTS-header flag (bool), the values' file (events file or obs-index)
    // relative to the store, its size (int64) and mtime ticks UTC (int64), int32 length + the run's
    // values (see WriteRun);
    // int32 entry count, and per entry: OBS_ID (int64), path relative to the store, HDU name, file
    // size (int64), mtime ticks UTC (int64), SHA-256 of the HDU and of a .gz file (hex strings; the
    // latter empty for a plain file), model class, int32
    // axis count, per axis int32 edge count + edges (float64), int32 value count + values (float64,
    // file order). Strings are BinaryWriter's length-prefixed UTF-8.

    /// <summary>Writes an index atomically (temp file in the cache folder, then rename).</summary>
    public static void Write(string path, string storeRoot, IReadOnlyList<BackgroundIndexRun> runs, IReadOnlyList<BackgroundIndexEntry> entries) =>
        WritePayload(path, Serialize(storeRoot, runs, entries));

    private static byte[] Serialize(string storeRoot, IReadOnlyList<BackgroundIndexRun> runs, IReadOnlyList<BackgroundIndexEntry> entries)
    {
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(System.IO.Path.GetFullPath(storeRoot));
            w.Write(runs.Count);
            var values = new MemoryStream();
            using var v = new BinaryWriter(values, Encoding.UTF8, leaveOpen: true);
            foreach (var r in runs)
            {
                w.Write(r.ObsId);
                w.Write(r.FromEventsHeader);
                w.Write(r.SourcePath);
                w.Write(r.SourceSize);
                w.Write(r.SourceMtimeTicks);
                // Length-prefixed, so opening the index skips the values of runs nobody asks for.
                values.SetLength(0);
                WriteRun(v, r.Run);
                v.Flush();
                w.Write((int)values.Length);
                w.Write(values.GetBuffer(), 0, (int)values.Length);
            }
            w.Write(entries.Count);
            foreach (var e in entries)
            {
                w.Write(e.ObsId);
                w.Write(e.RelativePath);
                w.Write(e.HduName);
                w.Write(e.Size);
                w.Write(e.MtimeTicks);
                w.Write(e.HduHash);
                w.Write(e.FileHash);
                w.Write(e.Model.HduClass);
                w.Write(e.Model.Axes.Count);
                foreach (var axis in e.Model.Axes) WriteDoubles(w, axis);
                WriteDoubles(w, e.Model.Values);
            }
        }
        return payload.ToArray();
    }

    /// <summary>Writes a payload atomically (temp file in the cache folder, then rename).</summary>
    private static void WritePayload(string path, byte[] bytes)
    {
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

    // A run's values: every Run property a header gives, in this order; a null as a false flag,
    // a value as a true flag then the value. Dates as DateTime.ToBinary (ticks and kind).
    private static void WriteRun(BinaryWriter w, Run r)
    {
        w.Write(r.RaPnt);
        w.Write(r.DecPnt);
        foreach (double? x in (double?[])[r.AltPnt, r.AzPnt, r.Zenith, r.NsbLevel, r.Livetime, r.Ontime, r.Deadc, r.Tstart, r.Tstop, r.RaObj, r.DecObj])
        {
            w.Write(x.HasValue);
            if (x is double d) w.Write(d);
        }
        w.Write(r.NTels.HasValue);
        if (r.NTels is int n) w.Write(n);
        foreach (string? x in (string?[])[r.TelList, r.Object])
        {
            w.Write(x is not null);
            if (x is not null) w.Write(x);
        }
        foreach (DateTime? x in (DateTime?[])[r.DateObs, r.DateAvg, r.DateEnd])
        {
            w.Write(x.HasValue);
            if (x is DateTime t) w.Write(t.ToBinary());
        }
    }

    /// <summary>A run from its values at a payload position (<see cref="WriteRun"/>), placed in its store.</summary>
    internal static Run ReadRun(byte[] bytes, int offset, int length, long obsId, string eventsFile, string storeRoot, IReadOnlyList<HduLocation> hdus)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, offset, length, writable: false), Encoding.UTF8);
        double ra = r.ReadDouble(), dec = r.ReadDouble();
        double?[] d = new double?[11];
        for (int i = 0; i < d.Length; i++) d[i] = r.ReadBoolean() ? r.ReadDouble() : null;
        int? nTels = r.ReadBoolean() ? r.ReadInt32() : null;
        string? telList = r.ReadBoolean() ? r.ReadString() : null;
        string? obj = r.ReadBoolean() ? r.ReadString() : null;
        DateTime?[] t = new DateTime?[3];
        for (int i = 0; i < t.Length; i++) t[i] = r.ReadBoolean() ? DateTime.FromBinary(r.ReadInt64()) : null;
        if (r.BaseStream.Position != length) throw new InvalidDataException($"run {obsId}: {length - r.BaseStream.Position} bytes after its values");
        return new Run
        {
            ObsId = obsId, Path = eventsFile, DataStore = storeRoot, RaPnt = ra, DecPnt = dec,
            AltPnt = d[0], AzPnt = d[1], Zenith = d[2], NsbLevel = d[3], Livetime = d[4], Ontime = d[5], Deadc = d[6],
            Tstart = d[7], Tstop = d[8], RaObj = d[9], DecObj = d[10], NTels = nTels, TelList = telList, Object = obj,
            DateObs = t[0], DateAvg = t[1], DateEnd = t[2],
            BackgroundClass = hdus.FirstOrDefault(h => h.HduType == "bkg")?.HduClass, Hdus = hdus,
        };
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
            int runCount = r.ReadInt32();
            if (runCount < 0) throw new InvalidDataException($"{runCount} runs");
            var runs = new List<BackgroundIndexFile.RunSlot>(runCount);
            for (int i = 0; i < runCount; i++)
            {
                long obsId = r.ReadInt64();
                bool fromEvents = r.ReadBoolean();
                string events = r.ReadString();
                long size = r.ReadInt64(), mtime = r.ReadInt64();
                int valuesLength = r.ReadInt32();
                long valuesOffset = r.BaseStream.Position;
                if (valuesLength < 0 || valuesOffset + valuesLength > length) throw new InvalidDataException($"run {obsId}: {valuesLength} bytes of values");
                r.BaseStream.Position = valuesOffset + valuesLength;
                runs.Add(new BackgroundIndexFile.RunSlot(obsId, fromEvents, events, size, mtime, HeaderLength + (int)valuesOffset, valuesLength));
            }
            int count = r.ReadInt32();
            if (count < 0) throw new InvalidDataException($"{count} entries");
            var entries = new List<BackgroundIndexFile.Slot>(count);
            for (int i = 0; i < count; i++)
            {
                long obsId = r.ReadInt64();
                string relative = r.ReadString(), hdu = r.ReadString();
                long size = r.ReadInt64(), mtime = r.ReadInt64();
                string hash = r.ReadString(), fileHash = r.ReadString();
                long offset = r.BaseStream.Position;
                // The layout is walked (lengths checked against the payload) so a structurally bad
                // file is refused here, as when every model was decoded at once.
                r.ReadString();
                int axes = r.ReadInt32();
                if (axes < 0) throw new InvalidDataException($"{axes} axes");
                for (int a = 0; a <= axes; a++) SkipDoubles(r);
                entries.Add(new BackgroundIndexFile.Slot(obsId, relative, hdu, size, mtime, hash, fileHash, HeaderLength + (int)offset));
            }
            if (r.BaseStream.Position != length) throw new InvalidDataException("bytes after the last entry");
            return (new BackgroundIndexFile(bytes, storeRoot, runs, entries), null);
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
/// A verified background index file held in memory, its models and runs decoded on demand (see
/// <see cref="BackgroundIndex.TryOpen"/>). Thread-safe: decoding only reads the bytes.
/// </summary>
public sealed class BackgroundIndexFile
{
    /// <summary>One entry: its file identity, the hash of its HDU, and where its model starts.</summary>
    public sealed record Slot(long ObsId, string RelativePath, string HduName, long Size, long MtimeTicks, string HduHash, string FileHash, int Offset);

    /// <summary>One run's header values: where they came from, that file's identity then, and where they are.</summary>
    public sealed record RunSlot(long ObsId, bool FromEventsHeader, string SourcePath, long SourceSize, long SourceMtimeTicks, int Offset, int Length);

    private readonly byte[] _bytes;
    private readonly Dictionary<(string Relative, string Hdu), Slot> _byFile;
    private readonly Dictionary<long, RunSlot> _runs;

    internal BackgroundIndexFile(byte[] bytes, string storeRoot, IReadOnlyList<RunSlot> runs, IReadOnlyList<Slot> entries)
    {
        _bytes = bytes;
        StoreRoot = storeRoot;
        Entries = entries;
        Runs = runs;
        _byFile = new Dictionary<(string, string), Slot>(entries.Count);
        foreach (var e in entries) _byFile[(e.RelativePath, e.HduName.ToUpperInvariant())] = e;
        _runs = new Dictionary<long, RunSlot>(runs.Count);
        foreach (var r in runs) _runs[r.ObsId] = r;
    }

    public string StoreRoot { get; }
    public IReadOnlyList<Slot> Entries { get; }
    public IReadOnlyList<RunSlot> Runs { get; }

    /// <summary>The entry of a file's HDU (path relative to the store, HDU name in any case), or null.</summary>
    public Slot? Find(string relativePath, string hduName) => _byFile.GetValueOrDefault((relativePath, hduName.ToUpperInvariant()));

    /// <summary>The header values of a run, or null when the index has none.</summary>
    public RunSlot? FindRun(long obsId) => _runs.GetValueOrDefault(obsId);

    /// <summary>An entry with its model decoded.</summary>
    public BackgroundIndexEntry Decode(Slot slot) => new(slot.ObsId, slot.RelativePath, slot.HduName, slot.Size, slot.MtimeTicks, slot.HduHash, slot.FileHash,
        BackgroundIndex.ReadModel(_bytes, slot.Offset, $"{System.IO.Path.Combine(StoreRoot, slot.RelativePath)}[{slot.HduName}]"));

    /// <summary>A run from its stored values, with its events file and HDUs as the store lists them.</summary>
    public Run DecodeRun(RunSlot slot, string eventsFile, string storeRoot, IReadOnlyList<HduLocation> hdus) =>
        BackgroundIndex.ReadRun(_bytes, slot.Offset, slot.Length, slot.ObsId, eventsFile, storeRoot, hdus);

    /// <summary>True when this file's payload is these bytes (an update that changed nothing is not written).</summary>
    internal bool HasPayload(ReadOnlySpan<byte> payload) =>
        _bytes.Length == BackgroundIndex.HeaderLength + payload.Length + SHA256.HashSizeInBytes && _bytes.AsSpan(BackgroundIndex.HeaderLength, payload.Length).SequenceEqual(payload);
}
