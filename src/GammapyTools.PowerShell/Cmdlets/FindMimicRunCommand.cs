using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Finds the background runs that can mimic a target run, ranked by KL divergence.</para>
/// Full help: module/help/Find-MimicRun.psd1.
/// </summary>
[Cmdlet(VerbsCommon.Find, "MimicRun")]
[OutputType(typeof(MimicCandidate))]
public sealed class FindMimicRunCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public Run[] Target { get; set; } = [];

    [Parameter(Mandatory = true)]
    public string SearchDataStore { get; set; } = "";

    [Parameter]
    public GammapyToolsConfig? Config { get; set; }

    /// <summary>Unknown keys in -Config are errors.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    [Parameter]
    public string? TableDirectory { get; set; }

    [Parameter]
    public string[]? Catalog { get; set; }

    [Parameter]
    public string? CachePath { get; set; }

    private List<Run>? _search;
    private DataStore? _inDir;
    private BackgroundModelCache _cache = new();
    private MimicCriteria _criteria = new();
    private ScrambleCheckCache? _scrambles;

    protected override void BeginProcessing()
    {
        string folder = ResolveUserPath(SearchDataStore);
        _cache = new BackgroundModelCache(new BackgroundIndex(CachePath is not null ? ResolveUserPath(CachePath) : Config?.CacheDirectory));
        try
        {
            var store = DataStore.Open(folder);
            // Runs without obs-index rows take their EVENTS header values from the index (no file opened).
            _search = _cache.Runs(store).ToList();
        }
        catch (Exception e) when (e is FitsException or IOException)
        {
            ThrowFileError(e, "SearchStoreUnreadable", ErrorCategory.OpenError, folder);
        }
        if (Config is not null && Strict) ConfigCmdlet.RequireKnownKeys(this, Config);
        // Without -Config, the template's values (New-GammapyToolsConfig), as the workflow cmdlets use.
        _criteria = MimicCriteriaConfig.FromConfig(Config ?? GammapyToolsConfig.CreateDefault());
        // The config's io.in_dir holds the targets' reference models (TargetKl), as for Invoke-MimicDataset.
        _inDir = Config is null ? null : MimicDatasetBuilder.InDirStore(Config, null);
        CatalogSet? catalogs = null;
        try { catalogs = MimicDatasetBuilder.LoadCatalogs(Catalog?.Select(ResolveUserPath).ToList()); }
        catch (Exception e) when (e is IOException or FormatException or FitsException)
        {
            ThrowFileError(e, "CatalogUnreadable", ErrorCategory.OpenError, Catalog);
        }
        // One measurement per background run for all targets of this call.
        _scrambles = new ScrambleCheckCache(_criteria.ScrambleTheta, _criteria.FieldOfViewRadius, catalogs);
    }

    protected override void EndProcessing()
    {
        WriteIndexWarnings(_cache);
        base.EndProcessing();
    }

    protected override void ProcessRecord()
    {
        string? tables = TableDirectory is null ? null : ResolveUserPath(TableDirectory);
        foreach (var target in Target)
        {
            CandidateSelection selection;
            ThrowIfStopping();
            try { selection = MimicCandidateFinder.Find(target, _search!, _criteria, _cache, tables, _scrambles, _inDir, StopToken); }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) when (e is FitsException or IOException or InvalidOperationException or BinningMismatchException)
            {
                WriteFileError(e, "CandidatesNotFound", ErrorCategory.InvalidData, target);
                continue;
            }
            foreach (string w in selection.Warnings) WriteWarning(w);
            foreach (var step in selection.Steps)
                WriteVerbose($"run {target.ObsId}: {step.Criterion}: removed {step.Removed}, {step.Remaining} left");
            foreach (var c in selection.Candidates.Where(c => c.Scramble is not null))
                WriteVerbose($"run {target.ObsId}: candidate {c.ObsId}: excess at its sources before scrambling: {c.Scramble!.Describe()}");
            if (selection.Questionable is { } reason)
                WriteWarning($"run {target.ObsId} is questionable: {reason} ({(reason == CandidateSelection.NoMimic ? "no run passes the selection" : "every candidate has KL ≥ " + _criteria.MaxKlDivergence)})");
            WriteObject(selection.Candidates, enumerateCollection: true);
        }
    }
}
