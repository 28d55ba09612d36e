using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>The KL divergence of one background run's model against a reference (target) run's.</summary>
public sealed record KlDivergenceResult
{
    public required long ObsId { get; init; }
    public required double KlDivergence { get; init; }
    public double? Livetime { get; init; }
    public required string Path { get; init; }
    public required long ReferenceObsId { get; init; }
    /// <summary>True when the value came from an existing &lt;obs&gt;_kl.fits table.</summary>
    public bool FromTable { get; init; }
    public required Run Run { get; init; }
}

/// <summary>A run that could not be compared, and why.</summary>
public sealed record KlDivergenceFailure(Run Run, Exception Error);

/// <summary>
/// KL divergence of a reference run against many runs: models read once through a
/// <see cref="BackgroundModelCache"/> (in parallel), values computed in parallel (<see cref="KlDivergence.Compute(BackgroundModel, BackgroundModel)"/>:
/// directly or on the common grid), and — with a table folder (store_KL) — reused from and saved
/// to <c>&lt;folder&gt;/&lt;obs&gt;_kl.fits</c>. The table is only a cache: a row is reused only when
/// the table was made from the same reference model and method and the run's model file is the
/// one it was computed from, so a result is the same with and without it.
/// Results are sorted by KL (lowest first), then OBS_ID.
/// </summary>
public static class KlDivergenceCalculator
{
    public static (IReadOnlyList<KlDivergenceResult> Results, IReadOnlyList<KlDivergenceFailure> Failures) Compute(
        Run reference, IReadOnlyList<Run> runs, BackgroundModelCache? cache = null, string? tableDirectory = null, int maxParallelism = -1,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        cache ??= new BackgroundModelCache();
        var results = new List<KlDivergenceResult>();
        var failures = new List<KlDivergenceFailure>();

        var referenceModel = cache.Get(reference);   // a reference without a model is an error for the whole call
        string? tablePath = tableDirectory is null ? null : System.IO.Path.Combine(tableDirectory, KlTable.FileName(reference.ObsId));
        var stored = tablePath is null ? null : KlTable.TryRead(tablePath, reference.ObsId, referenceModel.Identity);
        var toCompute = new List<Run>();
        var modelIds = new Dictionary<long, string?>();
        foreach (var run in runs)
        {
            string? modelId = tablePath is null ? null : cache.ModelId(run);
            modelIds[run.ObsId] = modelId;
            if (stored is not null && modelId is not null && stored.TryGetValue(run.ObsId, out var row) && row.ModelId == modelId)
                results.Add(new KlDivergenceResult
                {
                    ObsId = run.ObsId, KlDivergence = row.KlDivergence, Livetime = run.Livetime ?? row.Livetime,
                    Path = run.Path, ReferenceObsId = reference.ObsId, FromTable = true, Run = run,
                });
            else toCompute.Add(run);
        }

        if (toCompute.Count > 0)
        {
            var loaded = cache.Load(toCompute, maxParallelism, cancellationToken);
            var ok = loaded.Where(l => l.Model is not null).ToList();
            failures.AddRange(loaded.Where(l => l.Error is not null).Select(l => new KlDivergenceFailure(l.Run, l.Error!)));
            var values = KlDivergence.ComputeMany(referenceModel, ok.Select(l => l.Model!).ToList(), out var why, maxParallelism);
            for (int i = 0; i < ok.Count; i++)
            {
                var run = ok[i].Run;
                if (values[i] is double kl)
                    results.Add(new KlDivergenceResult
                    {
                        ObsId = run.ObsId, KlDivergence = kl, Livetime = run.Livetime, Path = run.Path,
                        ReferenceObsId = reference.ObsId, Run = run,
                    });
                else
                    failures.Add(new KlDivergenceFailure(run, new BinningMismatchException(
                        $"run {reference.ObsId} ({reference.Path}) and run {run.ObsId} ({run.Path}): {why[i]}")));
            }
            if (tablePath is not null && results.Any(r => !r.FromTable))
            {
                var rows = new Dictionary<long, KlTableRow>();
                if (stored is not null) foreach (var (id, row) in stored) rows[id] = row;
                foreach (var r in results) rows[r.ObsId] = new KlTableRow(r.ObsId, r.KlDivergence, r.Livetime, modelIds.GetValueOrDefault(r.ObsId));
                KlTable.Write(tablePath, reference.ObsId, reference.Path, referenceModel, rows.Values);
            }
        }

        results.Sort((a, b) => a.KlDivergence != b.KlDivergence ? a.KlDivergence.CompareTo(b.KlDivergence) : a.ObsId.CompareTo(b.ObsId));
        return (results, failures);
    }
}
