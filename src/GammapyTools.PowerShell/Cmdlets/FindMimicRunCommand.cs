using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;

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

    [Parameter]
    public string? TableDirectory { get; set; }

    [Parameter]
    public string? CachePath { get; set; }

    private List<Run>? _search;
    private BackgroundModelCache _cache = new();
    private MimicCriteria _criteria = new();

    protected override void BeginProcessing()
    {
        string folder = ResolveUserPath(SearchDataStore);
        _cache = new BackgroundModelCache(new BackgroundIndex(CachePath is not null ? ResolveUserPath(CachePath) : Config?.CacheDirectory));
        try
        {
            var store = DataStore.Open(folder);
            _search = store.ObsIds.Select(store.GetRun).ToList();
            _cache.AddStore(store);
        }
        catch (Exception e) when (e is FitsException or IOException)
        {
            ThrowFileError(e, "SearchStoreUnreadable", ErrorCategory.OpenError, folder);
        }
        if (Config is not null) _criteria = MimicCriteriaConfig.FromConfig(Config.GetBackgroundSelection());
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
            try { selection = MimicCandidateFinder.Find(target, _search!, _criteria, _cache, tables); }
            catch (Exception e) when (e is FitsException or IOException or InvalidOperationException or BinningMismatchException)
            {
                WriteFileError(e, "CandidatesNotFound", ErrorCategory.InvalidData, target);
                continue;
            }
            foreach (string w in selection.Warnings) WriteWarning(w);
            foreach (var step in selection.Steps)
                WriteVerbose($"run {target.ObsId}: {step.Criterion}: removed {step.Removed}, {step.Remaining} left");
            if (selection.Questionable is { } reason)
                WriteWarning($"run {target.ObsId} is questionable: {reason} ({(reason == CandidateSelection.NoMimic ? "no run passes the selection" : "every candidate has KL ≥ " + _criteria.MaxKlDivergence)})");
            WriteObject(selection.Candidates, enumerateCollection: true);
        }
    }
}
