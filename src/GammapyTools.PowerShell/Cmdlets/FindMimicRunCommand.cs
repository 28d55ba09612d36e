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

    private MimicSelection? _selection;
    private BackgroundModelCache _cache = new();

    protected override void BeginProcessing()
    {
        string folder = ResolveUserPath(SearchDataStore);
        _cache = new BackgroundModelCache(new BackgroundIndex(CachePath is not null ? ResolveUserPath(CachePath) : Config?.CacheDirectory));
        if (Config is not null && Strict) ConfigCmdlet.RequireKnownKeys(this, Config);
        CatalogSet? catalogs = null;
        try { catalogs = MimicDatasetBuilder.LoadCatalogs(Catalog?.Select(ResolveUserPath).ToList()); }
        catch (Exception e) when (e is IOException or FormatException or FitsException)
        {
            ThrowFileError(e, "CatalogUnreadable", ErrorCategory.OpenError, Catalog);
        }
        DataStore store = null!;
        try { store = DataStore.Open(folder); }
        catch (Exception e) when (e is FitsException or IOException)
        {
            ThrowFileError(e, "SearchStoreUnreadable", ErrorCategory.OpenError, folder);
        }
        // With -Config, the campaign's own selection (its run list's objects and sources, io.in_dir's
        // reference models): the candidates Invoke-MimicDataset uses. Without, the template's values.
        try { _selection = MimicSelection.ForTargets(Config, store, _cache, catalogs, TableDirectory is null ? null : ResolveUserPath(TableDirectory)); }
        catch (Exception e) when (e is FitsException or IOException)
        {
            ThrowFileError(e, "SearchStoreUnreadable", ErrorCategory.OpenError, folder);
        }
        if (_selection!.RunListNotUsed is { } why) WriteVerbose(why);
        else if (Config is not null) WriteVerbose($"the campaign's selection: run-list objects and sources of {_selection.RunListTargets} target run(s)");
    }

    protected override void EndProcessing()
    {
        WriteIndexWarnings(_cache);
        base.EndProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var target in Target)
        {
            CandidateSelection selection;
            ThrowIfStopping();
            try { selection = _selection!.Find(target, StopToken); }
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
                WriteWarning($"run {target.ObsId} is questionable: {reason} ({(reason == CandidateSelection.NoMimic ? "no run passes the selection" : "every candidate has KL ≥ " + _selection!.Criteria.MaxKlDivergence)})" +
                    (selection.EmptiedBy is { } step ? $"; '{step.Criterion}' removed the last {step.Removed}: {step.Remedy ?? "no config key changes it"}" : ""));
            WriteObject(selection.Candidates, enumerateCollection: true);
        }
    }
}
