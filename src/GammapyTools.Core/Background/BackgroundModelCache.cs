using System.Collections.Concurrent;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>
/// Background models read once per (file, HDU) and kept: thread-safe, loads in parallel. A model
/// that failed to load is not cached (the next request tries again). With a
/// <see cref="BackgroundIndex"/>, the first request for a run of a data store opens that store's
/// persistent index (built on first use, rebuilt when not trusted) and takes the models from it,
/// so a fresh process reads one index file instead of decompressing every run; from a trusted
/// index file only the models asked for are decoded and their files' identity checked.
/// </summary>
public sealed class BackgroundModelCache
{
    private readonly ConcurrentDictionary<(string File, string Hdu), Lazy<BackgroundModel>> _models = new();
    private readonly ConcurrentDictionary<string, Lazy<StoreModels>> _stores = new();
    private readonly ConcurrentQueue<StoreModels> _summaries = new();

    public BackgroundModelCache(BackgroundIndex? index = null) => Index = index;

    /// <summary>The persistent index consulted for runs of a data store, or null (read every model from its file).</summary>
    public BackgroundIndex? Index { get; }

    /// <summary>What the index did for a store this cache touched, once each (for warnings: an index that could not be written); null when none is left.</summary>
    public BackgroundIndexSummary? TakeIndexSummary() => _summaries.TryDequeue(out var s) ? s.Summary() : null;

    public int Count => _models.Count;

    /// <summary>The background model of a run; throws when the run has none or it cannot be read.</summary>
    public BackgroundModel Get(Run run)
    {
        var location = run.FindHdu("bkg")
            ?? throw new FitsException($"run {run.ObsId} has no background model (no bkg HDU)", run.Path);
        if (Index is not null && run.DataStore is not null && ModelsOf(run.DataStore) is { } store)
        {
            var key = (Path.GetFullPath(location.FilePath), location.HduName.ToUpperInvariant());
            if (store.Built is { } built) return built.Models.TryGetValue(key, out var model) ? model : Get(location);
            return GetCached(key, () => store.FromIndex(location) ?? BackgroundModel.Read(location));
        }
        return Get(location);
    }

    /// <summary>
    /// Every run of a data store, as <see cref="DataStore.GetRun"/> gives them, without opening
    /// the events file of a run that has no obs-index row while the store's index holds its EVENTS
    /// header values for the same file (size and mtime); the index is built first when there is
    /// none, reading each header in the same pass as the run's model. Without an index, or when
    /// every run has an obs-index row (no file is opened then), the store's own listing.
    /// </summary>
    /// <exception cref="FitsException">A run cannot be listed (as <see cref="DataStore.GetRun"/>).</exception>
    public IReadOnlyList<Run> Runs(DataStore store)
    {
        AddStore(store);
        var ids = store.ObsIds;
        if (Index is null || ids.All(store.HasObsIndexRow)) return ids.Select(store.GetRun).ToList();
        var models = ModelsOf(store.Root);
        return ids.Select(id => store.HasObsIndexRow(id) ? store.GetRun(id) : models?.RunFromIndex(store, id) ?? store.GetRun(id)).ToList();
    }

    /// <summary>
    /// The identity of a run's background model for a KL table's MODEL_ID: the SHA-256 of its HDU's
    /// bytes where the index holds the file as it is now (a touched or copied file keeps its KL rows
    /// once Update-BackgroundIndex has hashed it again), else <see cref="KlTable.ModelId"/> (size,
    /// mtime, HDU). Null when the run has no model file.
    /// </summary>
    public string? ModelId(Run run)
    {
        var location = run.FindHdu("bkg");
        if (location is not null && Index is not null && run.DataStore is not null && ModelsOf(run.DataStore)?.HashOf(location) is { } hash)
            return $"sha256:{hash}:{location.HduName.ToUpperInvariant()}";
        return KlTable.ModelId(run);
    }

    /// <summary>
    /// A data store the caller has already opened (the search store): its index is then brought up
    /// to date from this object on first use, instead of opening the store's index files again.
    /// </summary>
    public void AddStore(DataStore store)
    {
        if (Index is not null) _stores.TryAdd(Path.GetFullPath(store.Root), NewStoreEntry(store.Root, store));
    }

    /// <summary>A store's models from its index, prepared once per cache; null when the store cannot be opened.</summary>
    private StoreModels? ModelsOf(string storeRoot)
    {
        string root = Path.GetFullPath(storeRoot);
        var lazy = _stores.GetOrAdd(root, r => NewStoreEntry(r, null));
        try { return lazy.Value; }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
        {
            // An unreadable store index is not the index's business: the models are read one by one (and fail there if they must).
            return null;
        }
    }

    /// <summary>
    /// A trusted index file is used as it is: its models decoded, and their files' identity checked,
    /// only for the runs asked for (a search compares a few hundred of 30,000 runs); a run whose
    /// file changed or that the index lacks is read from its file (Update-BackgroundIndex refreshes
    /// the index). Without a trusted index file, the index is built (or rebuilt) for the whole store.
    /// </summary>
    private Lazy<StoreModels> NewStoreEntry(string root, DataStore? opened) =>
        new(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string path = Index!.PathFor(root);
            var (file, _) = BackgroundIndex.TryOpen(path, root);
            var result = file is not null
                ? new StoreModels(file, path, clock.Elapsed)
                : new StoreModels(Index.Refresh(opened ?? DataStore.Open(root)));
            _summaries.Enqueue(result);
            return result;
        }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One store's models and runs: either all of them from a build, or a trusted index file decoded on demand.</summary>
    private sealed class StoreModels
    {
        private readonly BackgroundIndexFile? _file;
        private readonly string _path = "";
        private readonly TimeSpan _opened;
        private readonly Dictionary<long, Run>? _builtRuns;
        private readonly Dictionary<(string File, string Hdu), string>? _builtHashes;
        private int _reused, _read;

        public StoreModels(BackgroundIndexContents built)
        {
            Built = built;
            _builtRuns = built.Runs.ToDictionary(r => r.ObsId, r => r.Run);
            _builtHashes = [];
            foreach (var e in built.Entries)
                _builtHashes[(Path.GetFullPath(Path.Combine(built.Summary.DataStore, e.RelativePath)), e.HduName.ToUpperInvariant())] = e.HduHash;
        }

        public StoreModels(BackgroundIndexFile file, string path, TimeSpan opened)
        {
            _file = file;
            _path = path;
            _opened = opened;
        }

        public BackgroundIndexContents? Built { get; }

        /// <summary>The index's slot of a model whose file is unchanged since it was indexed (size, mtime), else null.</summary>
        private BackgroundIndexFile.Slot? CurrentSlot(HduLocation location)
        {
            var slot = _file!.Find(Path.GetRelativePath(_file.StoreRoot, location.FilePath), location.HduName);
            return slot is not null && BackgroundIndex.IdentityOf(location.FilePath) == (slot.Size, slot.MtimeTicks) ? slot : null;
        }

        /// <summary>The model from the index when its file is unchanged since it was indexed; else null (read the file).</summary>
        public BackgroundModel? FromIndex(HduLocation location)
        {
            if (CurrentSlot(location) is { } slot)
            {
                try
                {
                    var model = _file!.Decode(slot).Model;
                    Interlocked.Increment(ref _reused);
                    return model;
                }
                catch (Exception e) when (e is ArgumentException or EndOfStreamException or InvalidDataException) { }
            }
            Interlocked.Increment(ref _read);
            return null;
        }

        /// <summary>The SHA-256 of a model's HDU when the index holds its file as it is now; else null.</summary>
        public string? HashOf(HduLocation location)
        {
            if (_builtHashes is not null)
                return _builtHashes.GetValueOrDefault((Path.GetFullPath(location.FilePath), location.HduName.ToUpperInvariant()));
            return CurrentSlot(location)?.HduHash;
        }

        /// <summary>
        /// A run without an obs-index row from the values the index took from its EVENTS header,
        /// when its events file is unchanged since (size, mtime); else null (read the file).
        /// </summary>
        public Run? RunFromIndex(DataStore store, long obsId)
        {
            if (_builtRuns is not null) return _builtRuns.GetValueOrDefault(obsId);
            if (_file!.FindRun(obsId) is not { FromEventsHeader: true } slot) return null;
            var hdus = store.HdusOf(obsId);
            if (hdus.FirstOrDefault(h => h.HduType == "events") is not { } events
                || Path.GetRelativePath(store.Root, events.FilePath) != slot.SourcePath
                || BackgroundIndex.IdentityOf(events.FilePath) != (slot.SourceSize, slot.SourceMtimeTicks)) return null;
            try { return _file.DecodeRun(slot, events.FilePath, store.Root, hdus); }
            catch (Exception e) when (e is ArgumentException or EndOfStreamException or InvalidDataException) { return null; }
        }

        public BackgroundIndexSummary Summary() => Built?.Summary ?? new BackgroundIndexSummary
        {
            DataStore = _file!.StoreRoot, IndexPath = _path, Runs = _file.Entries.Count, Reused = _reused, Read = _read, Removed = 0,
            Failed = [], Rejected = null, WriteError = null, Written = false, Elapsed = _opened,
        };
    }

    public BackgroundModel Get(HduLocation location) =>
        GetCached((Path.GetFullPath(location.FilePath), location.HduName.ToUpperInvariant()), () => BackgroundModel.Read(location));

    private BackgroundModel GetCached((string File, string Hdu) key, Func<BackgroundModel> load)
    {
        var lazy = _models.GetOrAdd(key, _ => new Lazy<BackgroundModel>(load, LazyThreadSafetyMode.ExecutionAndPublication));
        try { return lazy.Value; }
        catch
        {
            _models.TryRemove(new KeyValuePair<(string, string), Lazy<BackgroundModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>Loads the models of many runs in parallel; per run the model or the exception.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: no new file is read.</exception>
    public IReadOnlyList<(Run Run, BackgroundModel? Model, Exception? Error)> Load(IReadOnlyList<Run> runs, int maxParallelism = -1,
        CancellationToken cancellationToken = default)
    {
        var result = new (Run, BackgroundModel?, Exception?)[runs.Count];
        Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken }, i =>
        {
            try { result[i] = (runs[i], Get(runs[i]), null); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                result[i] = (runs[i], null, e);
            }
        });
        return result;
    }

    public void Clear()
    {
        _models.Clear();
        _stores.Clear();
    }
}
