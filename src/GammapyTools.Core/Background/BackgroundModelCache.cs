using System.Collections.Concurrent;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>
/// Background models read once per (file, HDU) and kept: thread-safe, loads in parallel. A model
/// that failed to load is not cached (the next request tries again). With a
/// <see cref="BackgroundIndex"/>, the first request for a run of a data store brings that store's
/// persistent index up to date (built on first use) and takes every model of the store from it,
/// so a fresh process reads one index file instead of decompressing every run.
/// </summary>
public sealed class BackgroundModelCache
{
    private readonly ConcurrentDictionary<(string File, string Hdu), Lazy<BackgroundModel>> _models = new();
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<(string File, string Hdu), BackgroundModel>>> _stores = new();
    private readonly ConcurrentQueue<BackgroundIndexSummary> _summaries = new();

    public BackgroundModelCache(BackgroundIndex? index = null) => Index = index;

    /// <summary>The persistent index consulted for runs of a data store, or null (read every model from its file).</summary>
    public BackgroundIndex? Index { get; }

    /// <summary>What the index did for a store this cache touched, once each (for warnings: an index that could not be written); null when none is left.</summary>
    public BackgroundIndexSummary? TakeIndexSummary() => _summaries.TryDequeue(out var s) ? s : null;

    public int Count => _models.Count;

    /// <summary>The background model of a run; throws when the run has none or it cannot be read.</summary>
    public BackgroundModel Get(Run run)
    {
        var location = run.FindHdu("bkg")
            ?? throw new FitsException($"run {run.ObsId} has no background model (no bkg HDU)", run.Path);
        if (Index is not null && run.DataStore is not null)
        {
            var models = StoreModels(run.DataStore);
            if (models.TryGetValue((Path.GetFullPath(location.FilePath), location.HduName.ToUpperInvariant()), out var model)) return model;
        }
        return Get(location);
    }

    /// <summary>
    /// A data store the caller has already opened (the search store): its index is then brought up
    /// to date from this object on first use, instead of opening the store's index files again.
    /// </summary>
    public void AddStore(DataStore store)
    {
        if (Index is not null) _stores.TryAdd(Path.GetFullPath(store.Root), NewStoreEntry(store.Root, store));
    }

    /// <summary>A store's models from its index, brought up to date once per cache.</summary>
    private IReadOnlyDictionary<(string File, string Hdu), BackgroundModel> StoreModels(string storeRoot)
    {
        string root = Path.GetFullPath(storeRoot);
        var lazy = _stores.GetOrAdd(root, r => NewStoreEntry(r, null));
        try { return lazy.Value; }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
        {
            // An unreadable store index is not the index's business: the models are read one by one (and fail there if they must).
            return new Dictionary<(string, string), BackgroundModel>();
        }
    }

    private Lazy<IReadOnlyDictionary<(string File, string Hdu), BackgroundModel>> NewStoreEntry(string root, DataStore? opened) =>
        new(() =>
        {
            var (models, summary) = Index!.Update(opened ?? DataStore.Open(root));
            _summaries.Enqueue(summary);
            return models;
        }, LazyThreadSafetyMode.ExecutionAndPublication);

    public BackgroundModel Get(HduLocation location)
    {
        var key = (Path.GetFullPath(location.FilePath), location.HduName.ToUpperInvariant());
        var lazy = _models.GetOrAdd(key, _ => new Lazy<BackgroundModel>(() => BackgroundModel.Read(location), LazyThreadSafetyMode.ExecutionAndPublication));
        try { return lazy.Value; }
        catch
        {
            _models.TryRemove(new KeyValuePair<(string, string), Lazy<BackgroundModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>Loads the models of many runs in parallel; per run the model or the exception.</summary>
    public IReadOnlyList<(Run Run, BackgroundModel? Model, Exception? Error)> Load(IReadOnlyList<Run> runs, int maxParallelism = -1)
    {
        var result = new (Run, BackgroundModel?, Exception?)[runs.Count];
        Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism }, i =>
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
