using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Builds or refreshes the index of a search data store's background models in the cache folder.</para>
/// Full help: module/help/Update-BackgroundIndex.psd1.
/// </summary>
[Cmdlet(VerbsData.Update, "BackgroundIndex", SupportsShouldProcess = true)]
[OutputType(typeof(BackgroundIndexSummary))]
public sealed class UpdateBackgroundIndexCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public string[] DataStore { get; set; } = [];

    [Parameter]
    public string? CachePath { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>Ignore the existing index and read every model again.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var index = new BackgroundIndex(CachePath is null ? null : ResolveUserPath(CachePath));
        foreach (string path in DataStore)
        {
            string folder = ResolveUserPath(path);
            Dl3.DataStore store;
            try { store = Dl3.DataStore.Open(folder); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "DataStoreUnreadable", ErrorCategory.OpenError, folder);
                continue;
            }
            if (!ShouldProcess(index.PathFor(store.Root), $"Index the background models of {store.Root}")) continue;
            var (_, summary) = RunInBackground<(int Done, int Total), (IReadOnlyDictionary<(string, string), BackgroundModel>, BackgroundIndexSummary)>(
                progress => index.Update(store, ThrottleLimit, progress, rebuild: Force),
                p => ReportProgress("Update-BackgroundIndex", $"{p.Done} of {p.Total} background models of {store.Root}", p.Done, p.Total));
            CompleteAllProgress();
            foreach (var f in summary.Failed)
                WriteFileError(new IOException(f.Message), "BackgroundUnreadable", ErrorCategory.ReadError, f.FilePath);
            if (summary.Rejected is not null) WriteWarning($"the existing index {summary.IndexPath} was not trusted and is rebuilt: {summary.Rejected}");
            if (summary.WriteError is not null)
                WriteFileError(new IOException(summary.WriteError), "IndexNotWritten", ErrorCategory.WriteError, summary.IndexPath);
            WriteObject(summary);
        }
    }
}
