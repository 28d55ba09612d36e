using System.Collections.Concurrent;
using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Maps;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Makes one stacked ring-background sky map (significance, excess, α) of runs, as gammapy-tools' RBM analysis does.</para>
/// Help: module/help/New-SkyMap.psd1.
/// </summary>
[Cmdlet(VerbsCommon.New, "SkyMap", DefaultParameterSetName = RunSet)]
[OutputType(typeof(SkyMap))]
public sealed class NewSkyMapCommand : SkyMapCmdlet
{
    private const string RunSet = "Run";
    private const string PathSet = "Path";
    private const string DataStoreSet = "DataStore";

    [Parameter(Mandatory = true, ParameterSetName = RunSet, ValueFromPipeline = true)]
    [Alias("Run")]
    public Run[] InputObject { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DataStoreSet)]
    [Alias("Store")]
    public string DataStore { get; set; } = "";

    [Parameter(Position = 1, ParameterSetName = DataStoreSet)]
    [Alias("OBS_ID")]
    [ArgumentCompleter(typeof(ObsIdCompleter))]
    public long[]? ObsId { get; set; }

    /// <summary>A config object or the path of a YAML file: its sky_map section gives the parameters not given here.</summary>
    [Parameter]
    public object? Config { get; set; }

    // Runs are collected over the whole pipeline: one map of all of them is made in EndProcessing.
    private readonly List<Run> _runs = [];
    private bool _inputErrors;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case RunSet:
                _runs.AddRange(InputObject.Where(r => r is not null));
                break;
            case PathSet:
                foreach (string file in ResolveFilePaths(Path))
                {
                    ThrowIfStopping();
                    try { _runs.Add(Run.FromFile(file)); }
                    catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
                    {
                        _inputErrors = true;
                        WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, file);
                    }
                }
                break;
            default:
                ReadDataStore();
                break;
        }
    }

    private void ReadDataStore()
    {
        string folder = ResolveUserPath(DataStore);
        Dl3.DataStore store;
        try { store = Dl3.DataStore.Open(folder); }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
        {
            ThrowFileError(e, "DataStoreUnreadable", ErrorCategory.OpenError, folder);
            return;
        }
        foreach (long id in ObsId is { Length: > 0 } ? ObsId : store.ObsIds)
        {
            if (!store.Contains(id))
            {
                _inputErrors = true;
                WriteFileError(new ItemNotFoundException($"run {id} is not in the data store {store.Root}"), "RunNotFound", ErrorCategory.ObjectNotFound, id);
                continue;
            }
            try { _runs.Add(store.GetRun(id)); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                _inputErrors = true;
                WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, (e as FitsException)?.FilePath ?? store.Root);
            }
        }
    }

    protected override void EndProcessing()
    {
        var config = Config is null ? null : LoadConfigArgument(Config, strict: false);
        var fromConfig = ParametersOf(config);
        var parameters = BuildOverrides(fromConfig).ApplyTo(fromConfig);
        if (_runs.Count == 0)
        {
            // Every input already has its error; without any input there is nothing to say it about.
            if (!_inputErrors)
                WriteError(new ErrorRecord(new ArgumentException("no runs were given: pipe Run objects (Get-Run) or give -DataStore or -Path"),
                    "NoRuns", ErrorCategory.InvalidArgument, null));
            base.EndProcessing();
            return;
        }

        string? source = Source();
        var runErrors = new ConcurrentQueue<(Run Run, Exception Error)>();
        SkyMap? map = null;
        try
        {
            map = RunInBackground<int, SkyMap>(
                (progress, token) => SkyMapMaker.Make(_runs, parameters, (run, e) => runErrors.Enqueue((run, e)), progress, source, token),
                done => ReportProgress("New-SkyMap", $"{done} of {_runs.Count} runs", done, _runs.Count));
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) when (e is SkyMapException or ArgumentException or FitsException or IOException or UnauthorizedAccessException)
        {
            CompleteAllProgress();
            foreach (var (run, error) in runErrors) WriteError(RunError(run, error));
            // The map itself cannot be made (no usable run, target outside the map, bad parameters): one error for the call.
            ThrowTerminatingError(new ErrorRecord(e, "SkyMapNotMade", e is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData,
                (object?)source ?? _runs));
        }
        CompleteAllProgress();
        foreach (var (run, error) in runErrors) WriteError(RunError(run, error));
        WriteVerbose(map!.ToString());
        WriteObject(map);
        base.EndProcessing();
    }

    /// <summary>Where the runs came from, for the map's tables and plots: the data store, or the one folder or store they share.</summary>
    private string? Source()
    {
        if (ParameterSetName == DataStoreSet) return ResolveUserPath(DataStore);
        var stores = _runs.Select(r => r.DataStore ?? System.IO.Path.GetDirectoryName(r.Path)).Distinct().ToList();
        return stores.Count == 1 ? stores[0] : null;
    }
}
