using System.Collections.Concurrent;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>
/// Background models read once per (file, HDU) and kept: thread-safe, loads in parallel. A model
/// that failed to load is not cached (the next request tries again).
/// </summary>
public sealed class BackgroundModelCache
{
    private readonly ConcurrentDictionary<(string File, string Hdu), Lazy<BackgroundModel>> _models = new();

    public int Count => _models.Count;

    /// <summary>The background model of a run; throws when the run has none or it cannot be read.</summary>
    public BackgroundModel Get(Run run)
    {
        var location = run.FindHdu("bkg")
            ?? throw new FitsException($"run {run.ObsId} has no background model (no bkg HDU)", run.Path);
        return Get(location);
    }

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

    public void Clear() => _models.Clear();
}
