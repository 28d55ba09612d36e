using System.Globalization;
using System.Text;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Output;
using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// The limits a sky map is judged against (Test-MimicDataset, and the Pester assertions use the same
/// defaults): |σ at the target| &lt; <see cref="MaxTargetSignificance"/>, |off μ| &lt; <see cref="MaxOffMean"/>,
/// |off width − 1| &lt; <see cref="MaxOffWidthDeviation"/>. A value that is not a number fails its limit.
/// </summary>
public sealed record NullTestLimits
{
    public double MaxTargetSignificance { get; init; } = 3.0;
    public double MaxOffMean { get; init; } = 0.1;
    public double MaxOffWidthDeviation { get; init; } = 0.1;

    /// <exception cref="ArgumentException">A limit is not a positive number.</exception>
    public void Validate()
    {
        foreach (var (v, name) in new[] { (MaxTargetSignificance, "the target significance limit"), (MaxOffMean, "the off-mean limit"), (MaxOffWidthDeviation, "the off-width limit") })
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"{name} must be a positive number, not {v}");
    }

    /// <summary>
    /// Each limit <paramref name="map"/> fails, with its numbers; empty when it passes. With
    /// <paramref name="judgeTarget"/> false (the original run list, whose target may hold the source)
    /// only the off-exclusion distribution is judged.
    /// </summary>
    public IReadOnlyList<string> Failures(SkyMap map, bool judgeTarget)
    {
        var failed = new List<string>();
        if (judgeTarget && !(Math.Abs(map.SignificanceAtTarget) < MaxTargetSignificance))
            failed.Add(Invariant($"|σ at target| = {Math.Abs(map.SignificanceAtTarget):0.00} ≥ {MaxTargetSignificance}"));
        if (!(Math.Abs(map.OffMean) < MaxOffMean))
            failed.Add(Invariant($"|off μ| = {Math.Abs(map.OffMean):0.000} ≥ {MaxOffMean}"));
        if (!(Math.Abs(map.OffWidth - 1) < MaxOffWidthDeviation))
            failed.Add(Invariant($"|off width − 1| = {Math.Abs(map.OffWidth - 1):0.000} ≥ {MaxOffWidthDeviation} (width {map.OffWidth:0.000}, {map.OffPixels} pixels)"));
        return failed;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One data store Test-MimicDataset maps: the original run list or one mimic_i folder.</summary>
/// <param name="Name">"original" or the folder name ("mimic_1", …).</param>
/// <param name="Index">0 for the original, i for mimic_i.</param>
/// <param name="Folder">The data store folder.</param>
/// <param name="ObsIds">The runs to map; null: every run of the store.</param>
public sealed record NullTestDataset(string Name, int Index, string Folder, IReadOnlyList<long>? ObsIds)
{
    public bool IsOriginal => Index == 0;
}

/// <summary>One row of Test-MimicDataset: a dataset's map, its numbers and its verdict.</summary>
public sealed class MimicDatasetRow
{
    /// <summary>"original" or "mimic_i".</summary>
    public required string Dataset { get; init; }
    /// <summary>"original" or "mimic".</summary>
    public required string Kind { get; init; }
    /// <summary>The data store folder the runs came from.</summary>
    public required string Path { get; init; }
    public required SkyMap Map { get; init; }
    public required bool Passed { get; init; }
    /// <summary>Empty when passed; else each failed limit with its numbers, joined by "; ".</summary>
    public required string Reason { get; init; }
    /// <summary>The PNG written for this dataset; null when none was written (-WhatIf, no plot writer).</summary>
    public string? PlotPath { get; init; }

    public int Runs => Map.RunCount;
    public double SignificanceAtTarget => Map.SignificanceAtTarget;
    public double CountsAtTarget => Map.CountsAtTarget;
    public double BackgroundAtTarget => Map.BackgroundAtTarget;
    public double ExcessAtTarget => Map.ExcessAtTarget;
    public double OffMean => Map.OffMean;
    public double OffWidth => Map.OffWidth;
    public int OffPixels => Map.OffPixels;
    public double MaxOffSignificance => Map.MaxOffSignificance;
    public SkyCoord Target => Map.Target;

    public override string ToString() => $"{Dataset}: σ={SignificanceAtTarget:0.00} at target, off μ={OffMean:0.000} width={OffWidth:0.000}, {(Passed ? "passed" : "failed: " + Reason)}";
}

/// <summary>A dataset that could not be mapped, or a file of the check that could not be written.</summary>
public sealed record NullTestError(string Dataset, string? Folder, Exception Error);

/// <summary>A run left out of a dataset's map (the maker's onRunError), with the reason.</summary>
public sealed record NullTestRunError(string Dataset, Run Run, Exception Error);

/// <summary>
/// What Test-MimicDataset returns: the rows (original first, then mimic_1, mimic_2, … by number), the
/// systematic estimate (sample standard deviation of σ at the target over the mimic rows) and the verdict.
/// </summary>
public sealed class MimicDatasetCheckResult
{
    public required IReadOnlyList<MimicDatasetRow> Rows { get; init; }
    public required NullTestLimits Limits { get; init; }
    /// <summary>The parameters every row was made with (Position: the one of the first map made, used for all).</summary>
    public required SkyMapParameters Parameters { get; init; }
    /// <summary>Datasets that could not be mapped (each names its dataset) and files not written.</summary>
    public required IReadOnlyList<NullTestError> Errors { get; init; }
    public required IReadOnlyList<NullTestRunError> RunErrors { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>The CSV written; null when nothing was written (-WhatIf).</summary>
    public string? CsvPath { get; init; }
    public required string ResultsDirectory { get; init; }

    public MimicDatasetRow? Original => Rows.FirstOrDefault(r => r.Kind == "original");
    public IReadOnlyList<MimicDatasetRow> Mimic => Rows.Where(r => r.Kind == "mimic").ToList();
    public int MimicCount => Mimic.Count;

    /// <summary>Sample standard deviation (n − 1) of σ at the target over the mimic datasets; NaN with fewer than two.</summary>
    public double Systematic => SampleStandardDeviation(Mimic.Select(r => r.SignificanceAtTarget).ToList());
    /// <summary>Mean σ at the target over the mimic datasets; NaN without any.</summary>
    public double MeanMimicSignificance => Mimic.Count > 0 ? Mimic.Average(r => r.SignificanceAtTarget) : double.NaN;

    /// <summary>
    /// True when at least one mimic dataset was mapped, every row passed and no dataset failed to map.
    /// </summary>
    public bool Passed => Mimic.Count > 0 && Rows.All(r => r.Passed) && !Errors.Any(e => e.Dataset != MimicDatasetCheck.CsvName);

    public static double SampleStandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}

/// <summary>Writes one PNG of a sky map (the seam to SkyMapPlot.Write, which another branch adds).</summary>
public delegate void SkyMapPlotWriter(SkyMap map, string path, string title, bool overwrite);

/// <summary>Settings of <see cref="MimicDatasetCheck.Run"/> that do not come from the config.</summary>
public sealed record NullTestOptions
{
    public SkyMapOverrides Overrides { get; init; } = new();
    public NullTestLimits Limits { get; init; } = new();
    /// <summary>Write the CSV and the plots (false: -WhatIf, nothing is written).</summary>
    public bool Write { get; init; } = true;
    /// <summary>Replace existing files of an earlier check.</summary>
    public bool Force { get; init; }
    /// <summary>Writes each dataset's PNG; null: no plots.</summary>
    public SkyMapPlotWriter? WritePlot { get; init; }
}

/// <summary>Progress of a check: dataset <see cref="Dataset"/> (of <see cref="Datasets"/>) at run <see cref="RunsDone"/> of <see cref="Runs"/>.</summary>
public readonly record struct NullTestProgress(int DatasetsDone, int Datasets, string Dataset, int RunsDone, int Runs);

/// <summary>
/// Test-MimicDataset (issue 15, DESIGN.md §8): the null test of a mimic campaign. One ring-background
/// sky map for the original run list and one for each mimic_i dataset of io.out_dir, all with the same
/// parameters and position; each judged against <see cref="NullTestLimits"/>; the table written as CSV
/// and one PNG per dataset into io.results_dir.
/// <para>
/// "Original" is the run list (run_selection.runlist; every run of the store when the config has none)
/// taken from the store Invoke-MimicDataset takes its targets from: io.out_dir when it is an indexed data
/// store (Invoke-MakeBackground writes the runs with their background models there), else io.in_dir.
/// Its target may hold the source, so its verdict judges only the off-exclusion distribution; mimic rows
/// are judged on σ at the target too. Mimic datasets are the out_dir/mimic_&lt;n&gt; folders (any n; those up
/// to background_selection.n_mimic when the config sets it must exist), each an indexed data store whose
/// every run is mapped — as Invoke-MimicDataset, Complete-MimicDataset (after shards) and gammapy-tools write them.
/// </para>
/// <para>
/// Position: the override, else run_selection.source_ra/source_dec when it is within offset_max of an
/// original run's pointing (the gammapy-tools template always sets the Crab's, so a far-away value is
/// reported and not used), else what the maker takes from the runs (RA_OBJ/DEC_OBJ); the first map made
/// fixes the position of every other row.
/// </para>
/// </summary>
public static class MimicDatasetCheck
{
    public const string CsvName = "null_test.csv";
    public static string PlotName(string dataset) => $"null_test_{dataset}.png";

    /// <summary>The sky-map parameters of a config (sky_map section) with the overrides applied; the position is resolved by <see cref="Run"/>.</summary>
    public static SkyMapParameters Parameters(GammapyToolsConfig config, SkyMapOverrides overrides) =>
        overrides.ApplyTo(SkyMapParameters.FromConfig(config));

    /// <summary>
    /// The datasets of a config (see the class comment). Expected datasets that are missing or not indexed
    /// are returned in <paramref name="missing"/>, each naming its folder and what to do.
    /// </summary>
    /// <exception cref="ConfigException">io.out_dir is not set or does not exist.</exception>
    public static IReadOnlyList<NullTestDataset> Datasets(GammapyToolsConfig config, out IReadOnlyList<NullTestError> missing)
    {
        string outDir = config.RequirePath("io", "out_dir", mustExist: true);
        var errors = new List<NullTestError>();
        var datasets = new List<NullTestDataset>();

        IReadOnlyList<long>? runList = HasRunList(config) ? RunListReader.FromConfig(config) : null;
        string? original = IsStore(outDir) ? outDir : InDir(config);
        if (original is not null && IsStore(original)) datasets.Add(new NullTestDataset("original", 0, original, runList));
        else errors.Add(new NullTestError("original", original ?? outDir, new FileNotFoundException(
            $"the original run list has no data store: neither io.out_dir ({outDir}) nor io.in_dir ({original ?? "not set"}) has an hdu-index (run Invoke-PrepareDataset and Invoke-MakeBackground)")));

        var found = new SortedDictionary<int, string>();
        foreach (string dir in Directory.EnumerateDirectories(outDir, "mimic_*"))
            if (int.TryParse(Path.GetFileName(dir)["mimic_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
                found[n] = dir;
        int expected = (config.Get("background_selection") as ConfigSection)?.Get("n_mimic") is not null ? config.GetBackgroundSelection().NMimic : 0;
        for (int i = 1; i <= expected; i++)
            if (!found.ContainsKey(i))
                errors.Add(new NullTestError($"mimic_{i}", MimicDatasetBuilder.DatasetFolder(outDir, i), new DirectoryNotFoundException(
                    $"{MimicDatasetBuilder.DatasetFolder(outDir, i)} does not exist: background_selection.n_mimic is {expected} (run Invoke-MimicDataset)")));
        foreach (var (n, dir) in found)
        {
            if (IsStore(dir)) datasets.Add(new NullTestDataset($"mimic_{n}", n, dir, null));
            else errors.Add(new NullTestError($"mimic_{n}", dir, new FileNotFoundException(
                $"{dir} has no hdu-index: the dataset is not complete (after Invoke-MimicDataset -Shard, run Complete-MimicDataset)")));
        }
        missing = errors;
        return datasets;
    }

    /// <summary>
    /// Maps every dataset (see the class comment) and judges it; a dataset that cannot be mapped is an
    /// error of the result and the others go on; runs left out of a map are the result's run errors.
    /// Writes (unless <see cref="NullTestOptions.Write"/> is false) results_dir/null_test.csv and
    /// null_test_&lt;dataset&gt;.png atomically; existing files are an error before any work unless Force.
    /// </summary>
    /// <exception cref="ConfigException">io.out_dir or io.results_dir is missing, or the run list is unreadable.</exception>
    /// <exception cref="ArgumentException">The sky-map parameters or the limits are inconsistent.</exception>
    /// <exception cref="OutputPathException">An output exists (without Force) or is not a regular file.</exception>
    public static MimicDatasetCheckResult Run(GammapyToolsConfig config, NullTestOptions options,
        IProgress<NullTestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Limits.Validate();
        var parameters = Parameters(config, options.Overrides);
        parameters.Validate();
        string resultsDir = config.RequirePath("io", "results_dir");
        var datasets = Datasets(config, out var missing);
        var errors = new List<NullTestError>(missing);
        var warnings = new List<string>();
        var runErrors = new System.Collections.Concurrent.ConcurrentQueue<NullTestRunError>();

        string csv = Path.Combine(resultsDir, CsvName);
        if (options.Write)
        {
            // Refuse before the maps are made, not after minutes of work.
            AtomicFile.CheckDestination(csv, options.Force);
            if (options.WritePlot is not null)
                foreach (var d in datasets) AtomicFile.CheckDestination(Path.Combine(resultsDir, PlotName(d.Name)), options.Force);
        }

        var rows = new List<MimicDatasetRow>();
        for (int k = 0; k < datasets.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var d = datasets[k];
            progress?.Report(new NullTestProgress(k, datasets.Count, d.Name, 0, 0));
            List<Run> runs;
            try { runs = ReadRuns(d, runErrors); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                errors.Add(new NullTestError(d.Name, d.Folder, e));
                continue;
            }
            if (parameters.Position is null && d.IsOriginal) parameters = parameters with { Position = SourcePosition(config, runs, parameters, warnings) };

            SkyMap map;
            try
            {
                int total = runs.Count;
                var runsDone = new DirectProgress<int>(n => progress?.Report(new NullTestProgress(k, datasets.Count, d.Name, n, total)));
                map = SkyMapMaker.Make(runs, parameters, (run, e) => runErrors.Enqueue(new NullTestRunError(d.Name, run, e)), runsDone, d.Folder, cancellationToken);
            }
            catch (Exception e) when (e is SkyMapException or FitsException or IOException or UnauthorizedAccessException)
            {
                errors.Add(new NullTestError(d.Name, d.Folder, e));
                continue;
            }
            // Every other row is read at the same position as the first map made.
            parameters = parameters with { Position = map.Target };

            var failures = options.Limits.Failures(map, judgeTarget: !d.IsOriginal);
            string? plot = null;
            if (options.Write && options.WritePlot is not null)
            {
                string path = Path.Combine(resultsDir, PlotName(d.Name));
                try
                {
                    Directory.CreateDirectory(resultsDir);
                    options.WritePlot(map, path, PlotTitle(d, map), options.Force);
                    plot = path;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
                {
                    errors.Add(new NullTestError(d.Name, path, e));
                }
            }
            rows.Add(new MimicDatasetRow
            {
                Dataset = d.Name,
                Kind = d.IsOriginal ? "original" : "mimic",
                Path = d.Folder,
                Map = map,
                Passed = failures.Count == 0,
                Reason = string.Join("; ", failures),
                PlotPath = plot,
            });
        }
        progress?.Report(new NullTestProgress(datasets.Count, datasets.Count, "", 0, 0));

        string? written = null;
        if (options.Write)
        {
            try
            {
                Directory.CreateDirectory(resultsDir);
                var bytes = new UTF8Encoding(false).GetBytes(ToCsv(rows));
                AtomicFile.Write(csv, options.Force, s => s.Write(bytes));
                written = csv;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new NullTestError(CsvName, csv, e));
            }
        }
        return new MimicDatasetCheckResult
        {
            Rows = rows,
            Limits = options.Limits,
            Parameters = parameters,
            Errors = errors,
            RunErrors = runErrors.ToList(),
            Warnings = warnings,
            CsvPath = written,
            ResultsDirectory = resultsDir,
        };
    }

    /// <summary>The columns of the CSV, in order (numbers invariant, "R" round-trip precision; NaN as "NaN").</summary>
    public static readonly string[] CsvColumns =
    [
        "Dataset", "Kind", "Path", "Runs", "SignificanceAtTarget", "CountsAtTarget", "BackgroundAtTarget", "ExcessAtTarget",
        "OffMean", "OffWidth", "OffPixels", "MaxOffSignificance", "TargetRa", "TargetDec", "Passed", "Reason", "Plot",
    ];

    public static string ToCsv(IReadOnlyList<MimicDatasetRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", CsvColumns));
        foreach (var r in rows)
        {
            string[] cells =
            [
                r.Dataset, r.Kind, r.Path, r.Runs.ToString(CultureInfo.InvariantCulture), N(r.SignificanceAtTarget), N(r.CountsAtTarget),
                N(r.BackgroundAtTarget), N(r.ExcessAtTarget), N(r.OffMean), N(r.OffWidth), r.OffPixels.ToString(CultureInfo.InvariantCulture),
                N(r.MaxOffSignificance), N(r.Target.Ra), N(r.Target.Dec), r.Passed ? "True" : "False", r.Reason, r.PlotPath is null ? "" : Path.GetFileName(r.PlotPath),
            ];
            sb.AppendLine(string.Join(",", cells.Select(Quote)));
        }
        return sb.ToString();
    }

    private static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    // RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled (Import-Csv reads it back).
    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;

    private static string PlotTitle(NullTestDataset d, SkyMap map) =>
        $"{d.Name}: {map.RunCount} run{(map.RunCount == 1 ? "" : "s")}, σ = {map.SignificanceAtTarget.ToString("0.00", CultureInfo.InvariantCulture)} at the target";

    private static List<Run> ReadRuns(NullTestDataset d, System.Collections.Concurrent.ConcurrentQueue<NullTestRunError> runErrors)
    {
        var store = DataStore.Open(d.Folder);
        var ids = d.ObsIds ?? store.ObsIds;
        var runs = new List<Run>();
        foreach (long id in ids)
        {
            if (!store.Contains(id))
            {
                var placeholder = new Run { ObsId = id, Path = store.Root, DataStore = store.Root };
                runErrors.Enqueue(new NullTestRunError(d.Name, placeholder, new KeyNotFoundException($"run {id} of the run list is not in the data store {store.Root}")));
                continue;
            }
            try { runs.Add(store.GetRun(id)); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                runErrors.Enqueue(new NullTestRunError(d.Name, new Run { ObsId = id, Path = (e as FitsException)?.FilePath ?? store.Root, DataStore = store.Root }, e));
            }
        }
        return runs;
    }

    /// <summary>run_selection.source_ra/source_dec when set and within offset_max of an original run's pointing; else null (the runs' objects).</summary>
    private static SkyCoord? SourcePosition(GammapyToolsConfig config, IReadOnlyList<Run> runs, SkyMapParameters p, List<string> warnings)
    {
        if (config.Get("run_selection") is not ConfigSection s || s.Get("source_ra") is null || s.Get("source_dec") is null) return null;
        var source = new SkyCoord(s.GetValue<double>("source_ra"), s.GetValue<double>("source_dec"));
        if (runs.Count == 0 || runs.Any(r => SphericalGeometry.Separation(r.Pointing, source) < p.OffsetMax)) return source;
        double nearest = runs.Min(r => SphericalGeometry.Separation(r.Pointing, source));
        warnings.Add(string.Create(CultureInfo.InvariantCulture,
            $"run_selection.source_ra/source_dec ({source}) is {nearest:0.##}° from the nearest run's pointing, beyond offset_max ({p.OffsetMax}°): the maps are centred on the runs' RA_OBJ/DEC_OBJ instead (set source_ra/source_dec, or -Position)"));
        return null;
    }

    private static bool HasRunList(GammapyToolsConfig config) =>
        (config.Get("run_selection") as ConfigSection)?.Get("runlist") is not null
        || (config.Get("run_selection") as ConfigSection)?.Get("run_list") is not null
        || (config.Get("io") as ConfigSection)?.Get("runlist") is not null;

    private static string? InDir(GammapyToolsConfig config) =>
        (config.Get("io") as ConfigSection)?.Get("in_dir") is string { Length: > 0 } ? config.RequirePath("io", "in_dir") : null;

    private static bool IsStore(string folder) => DataStore.HduIndexNames.Any(n => File.Exists(Path.Combine(folder, n)));

    /// <summary>Reports on the calling thread (System.Progress would post to the thread pool, out of order).</summary>
    private sealed class DirectProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
