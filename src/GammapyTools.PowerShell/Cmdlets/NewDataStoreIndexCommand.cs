using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>What New-DataStoreIndex wrote.</summary>
public sealed record DataStoreIndexResult(string Path, int RunCount, int HduCount, string ObsIndex, string HduIndex);

/// <summary>
/// <para type="synopsis">Writes obs-index and hdu-index files for DL3 files, making a data store.</para>
/// Full help: module/en-US/GammapyTools.PowerShell.dll-Help.xml.
/// </summary>
[Cmdlet(VerbsCommon.New, "DataStoreIndex", SupportsShouldProcess = true, DefaultParameterSetName = RunSet)]
[OutputType(typeof(DataStoreIndexResult))]
public sealed class NewDataStoreIndexCommand : GammapyCmdlet
{
    private const string RunSet = "Run";
    private const string FileSet = "File";

    /// <summary>The data store folder where the index files are written.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = RunSet, ValueFromPipeline = true)]
    public Run[] Run { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = FileSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[] File { get; set; } = [];

    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<string> _files = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RunSet) _files.AddRange(Run.Select(r => r.Path));
        else _files.AddRange(ResolveFilePaths(File));
    }

    protected override void EndProcessing()
    {
        string folder = ResolveUserPath(Path);
        var files = _files.Distinct(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            WriteFileError(new ArgumentException("no DL3 files were given; nothing to index"), "NoInput", ErrorCategory.InvalidArgument, folder);
            base.EndProcessing();
            return;
        }

        var scanned = new List<DataStoreIndex.ScannedFile>();
        for (int i = 0; i < files.Count; i++)
        {
            ThrowIfStopping();
            ReportProgress("New-DataStoreIndex", "Reading DL3 headers", i, files.Count, currentOperation: files[i]);
            try { scanned.Add(DataStoreIndex.Scan(files[i])); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, files[i]);
            }
        }

        string? existing = Force ? null : Dl3.DataStore.HduIndexNames.Concat(Dl3.DataStore.ObsIndexNames)
            .Select(n => System.IO.Path.Combine(folder, n)).FirstOrDefault(System.IO.File.Exists);
        if (existing is not null)
        {
            WriteFileError(new IOException("an index file exists already; use -Force to replace it"), "IndexExists", ErrorCategory.ResourceExists, existing);
        }
        else if (scanned.Count > 0 && ShouldProcess(folder, $"Write obs-index and hdu-index for {scanned.Count} run(s)"))
        {
            try
            {
                var (obs, hdu) = DataStoreIndex.Write(folder, scanned, overwrite: Force);
                WriteObject(new DataStoreIndexResult(folder, scanned.Count, scanned.Sum(s => s.Hdus.Count), obs, hdu));
            }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "IndexNotWritten", ErrorCategory.WriteError, folder);
            }
        }
        base.EndProcessing();
    }
}
