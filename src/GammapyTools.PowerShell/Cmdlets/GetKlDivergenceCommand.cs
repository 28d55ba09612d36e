using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Computes the KL divergence of runs' background models against a reference run's.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KlDivergence", DefaultParameterSetName = RunSet)]
[OutputType(typeof(KlDivergenceResult))]
public sealed class GetKlDivergenceCommand : GammapyCmdlet
{
    private const string RunSet = "Run";
    private const string PathSet = "Path";

    // Models stay cached for the session (one cache per index folder): a second call on the same runs reads no file.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, BackgroundModelCache> SessionCaches = new();

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Target")]
    public Run? Reference { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = RunSet)]
    public Run[] InputObject { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    public string[] Path { get; set; } = [];

    [Parameter]
    public string? TableDirectory { get; set; }

    [Parameter]
    public string? CachePath { get; set; }

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    private readonly List<Run> _runs = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RunSet) { _runs.AddRange(InputObject.Where(r => r is not null)); return; }
        foreach (string file in ResolveFilePaths(Path))
        {
            try { _runs.Add(Run.FromFile(file)); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, file);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_runs.Count > 0)
        {
            string? tables = TableDirectory is null ? null : ResolveUserPath(TableDirectory);
            if (_runs.Count > 50) ReportProgress("Get-KlDivergence", $"Comparing {_runs.Count} background models with run {Reference!.ObsId}", 0, _runs.Count);
            var index = new BackgroundIndex(CachePath is null ? null : ResolveUserPath(CachePath));
            var cache = SessionCaches.GetOrAdd(index.Directory, _ => new BackgroundModelCache(index));
            try
            {
                var (results, failures) = KlDivergenceCalculator.Compute(Reference!, _runs, cache, tables, ThrottleLimit);
                WriteIndexWarnings(cache);
                foreach (var f in failures)
                    WriteFileError(f.Error, f.Error is BinningMismatchException ? "BinningMismatch" : "BackgroundUnreadable",
                        f.Error is BinningMismatchException ? ErrorCategory.InvalidData : ErrorCategory.ReadError, f.Run);
                WriteObject(results, enumerateCollection: true);
            }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                ThrowFileError(e, "ReferenceBackgroundUnreadable", ErrorCategory.ReadError, Reference);
            }
        }
        base.EndProcessing();
    }
}
