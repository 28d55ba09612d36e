using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Fits;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Gets observation runs from a data store or from DL3 files.</para>
/// Full help: module/en-US/GammapyTools.PowerShell.dll-Help.xml.
/// </summary>
[Cmdlet(VerbsCommon.Get, "Run", DefaultParameterSetName = DataStoreSet)]
[OutputType(typeof(Run))]
public sealed class GetRunCommand : GammapyCmdlet
{
    private const string DataStoreSet = "DataStore";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DataStoreSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Store")]
    public string DataStore { get; set; } = "";

    [Parameter(Position = 1, ParameterSetName = DataStoreSet, ValueFromPipelineByPropertyName = true)]
    [Alias("OBS_ID")]
    [ArgumentCompleter(typeof(ObsIdCompleter))]
    public long[]? ObsId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    public string[] LiteralPath { get; set; } = [];

    // Data stores opened in this pipeline, so `1,2,3 | % { Get-Run -DataStore x -ObsId $_ }` style
    // input by property name reads the index files once.
    private readonly Dictionary<string, Dl3.DataStore> _stores = new(StringComparer.Ordinal);

    protected override void ProcessRecord()
    {
        CompleteProgressWhenStopped(() =>
        {
            if (ParameterSetName == DataStoreSet) ProcessDataStore();
            else ProcessFiles(ParameterSetName == PathSet ? ResolveFilePaths(Path) : ResolveFilePaths(LiteralPath, literal: true));
        });
    }

    private void ProcessDataStore()
    {
        string folder = ResolveUserPath(DataStore);
        if (!_stores.TryGetValue(folder, out var store))
        {
            try { store = Dl3.DataStore.Open(folder); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "DataStoreUnreadable", ErrorCategory.OpenError, folder);
                return;
            }
            _stores[folder] = store;
        }

        IReadOnlyList<long> ids = ObsId is { Length: > 0 } ? ObsId : store.ObsIds;
        for (int i = 0; i < ids.Count; i++)
        {
            long id = ids[i];
            if (ids.Count > 50) ReportProgress("Get-Run", $"Reading runs of {store.Root}", i, ids.Count);
            if (!store.Contains(id))
            {
                WriteFileError(new ItemNotFoundException($"run {id} is not in the data store {store.Root}"),
                    "RunNotFound", ErrorCategory.ObjectNotFound, id);
                continue;
            }
            try { WriteObject(store.GetRun(id)); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, (e as FitsException)?.FilePath ?? store.Root);
            }
        }
    }

    private void ProcessFiles(IReadOnlyList<string> files)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (files.Count > 50) ReportProgress("Get-Run", "Reading DL3 headers", i, files.Count, currentOperation: files[i]);
            try { WriteObject(Run.FromFile(files[i])); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, files[i]);
            }
        }
    }
}
