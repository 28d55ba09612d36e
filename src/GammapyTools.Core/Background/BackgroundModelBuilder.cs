using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>How to build a background model.</summary>
public sealed record BackgroundModelOptions
{
    public BackgroundBinning Binning { get; init; } = new();
    public bool ThreeDimensional { get; init; }
    /// <summary>Gaussian smoothing width in bins, or null for none (the template smooths with 1 bin).</summary>
    public double? SmoothSigma { get; init; } = 1.0;
    /// <summary>Regions to leave out, or null to use every event.</summary>
    public ExclusionOptions? Exclusions { get; init; }
}

/// <summary>A background model built for one run, with what it was built from.</summary>
public sealed record BackgroundModelResult(Run Run, Background2D? Model2D, Background3D? Model3D,
    IReadOnlyList<long> RunsUsed, double ObservationTime, long EventsUsed, long EventsExcluded, IReadOnlyList<ExclusionRegion> ExcludedRegions)
{
    /// <summary>What the user should know about the model (a sparse model: too few events per bin).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public long ObsId => Run.ObsId;
    public string BackgroundClass => Model3D is null ? "bkg_2d" : "bkg_3d";
    public BinaryTableHdu ToHdu() => Model3D?.ToHdu() ?? Model2D!.ToHdu();
}

/// <summary>
/// Builds background models for runs (from their own events or from matched runs' events) and
/// writes runs with a BACKGROUND HDU attached. Inputs are never modified: a run with a model is a
/// new file.
/// </summary>
public static class BackgroundModelBuilder
{
    /// <summary>The model for <paramref name="run"/> from the events of <paramref name="sourceRuns"/> (the run itself for from_run).</summary>
    public static BackgroundModelResult Build(Run run, IReadOnlyList<Run> sourceRuns, BackgroundModelOptions options, CancellationToken cancellationToken = default)
    {
        if (sourceRuns.Count == 0) throw new ArgumentException($"no runs to build the background of run {run.ObsId} from");
        var estimator = new BackgroundEstimator(options.Binning, options.ThreeDimensional);
        var excluded = new List<ExclusionRegion>();
        foreach (var source in sourceRuns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var events = EventList.Read(source, ["RA", "DEC", "ENERGY"]);
            if (RunValidation.Exposure(source.Livetime ?? events.Header.GetDouble("LIVETIME"), "LIVETIME", source.Path, null) is null)
                throw new FitsException($"run {source.ObsId} has no LIVETIME; its exposure is unknown", source.Path, keyword: "LIVETIME");
            CheckGti(source);
            var regions = options.Exclusions?.ForField(source.Pointing, options.Binning.OffsetMax) ?? [];
            excluded.AddRange(regions);
            estimator.Add(source, events, regions);
        }
        var warnings = new List<string>();
        double perBin = estimator.EventsPerPopulatedBin;
        if (perBin < BackgroundEstimator.SparseEventsPerBin)
            warnings.Add(FormattableString.Invariant(
                $"run {run.ObsId}: its background model is built from {estimator.EventsUsed} events, {perBin:0.#} per populated bin (fewer than {BackgroundEstimator.SparseEventsPerBin}); ") +
                "it is noisy where it is not floored: use more background runs (time_request, -BackgroundRun) or fewer bins (binning.e_bins, binning.off_bins)");
        return new BackgroundModelResult(run,
            options.ThreeDimensional ? null : estimator.ToBackground2D(options.SmoothSigma),
            options.ThreeDimensional ? estimator.ToBackground3D(options.SmoothSigma) : null,
            sourceRuns.Select(r => r.ObsId).ToList(), estimator.ObservationTime, estimator.EventsUsed, estimator.EventsExcluded,
            excluded.DistinctBy(r => (r.Center, r.Radius)).ToList()) { Warnings = warnings };
    }

    /// <summary>The run's good time intervals, where it has them, must be valid (STOP ≥ START) for its livetime to mean anything.</summary>
    private static void CheckGti(Run run)
    {
        if (run.FindHdu("gti") is not { } location) return;
        FitsException.Guard(location.FilePath, () =>
        {
            using var file = FitsFile.Open(location.FilePath);
            var info = HduClassifier.Find(file, location);
            RunValidation.Gti(file.ReadTable(info), file.Path, info.Index);
            return true;
        });
    }

    /// <summary>
    /// Writes a copy of the run's file with <paramref name="background"/> as its only background
    /// HDU (any background HDU it had is replaced; OBS_ID set from the run), atomically.
    /// Returns the new run.
    /// </summary>
    public static Run Attach(Run run, BinaryTableHdu background, string outputPath, bool overwrite, CancellationToken cancellationToken = default)
    {
        string output = Path.GetFullPath(outputPath);
        if (string.Equals(output, Path.GetFullPath(run.Path), StringComparison.Ordinal))
            throw new FitsException("the output would replace the run's own file; inputs are never modified (choose another destination)", output);
        List<Hdu> hdus;
        using (var file = FitsFile.Open(run.Path))
        {
            var classes = HduClassifier.ClassifyAll(file.Hdus.Select(h => h.Header).ToList(), file.Path);
            hdus = file.Hdus.Where(h => classes[h.Index] is not ("bkg", _)).Select(file.ReadHdu).ToList();
        }
        if (background.Table.RowCount == 0) throw new FitsException("the background model to attach is empty", run.Path, keyword: "BKG");
        var header = background.Header;
        header.Set("OBS_ID", run.ObsId, "observation identifier");
        hdus.Add(background);
        FitsWriter.Write(output, hdus, overwrite, cancellationToken);
        return Run.FromFile(output);
    }
}
