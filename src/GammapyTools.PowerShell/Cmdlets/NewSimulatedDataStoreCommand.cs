using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Simulation;
using GammapyTools.Sky;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Creates a deterministic, simulated VERITAS-like DL3 data store.</para>
/// Full help lives in module/en-US/GammapyTools.PowerShell.dll-Help.xml.
/// </summary>
[Cmdlet(VerbsCommon.New, "SimulatedDataStore", SupportsShouldProcess = true)]
[OutputType(typeof(Run))]
public sealed class NewSimulatedDataStoreCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int RunCount { get; set; } = 200;

    [Parameter]
    public long Seed { get; set; } = 1;

    [Parameter]
    [ValidateRange(0.0, 1e9)]
    public double EventsPerRun { get; set; } = 10_000;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Source { get; set; }

    [Parameter]
    [ValidateRange(0.0, 1e9)]
    public double SourceRate { get; set; } = 600;

    [Parameter]
    public SwitchParameter NoBackground { get; set; }

    [Parameter]
    public SwitchParameter NoCompression { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        string folder = ResolveUserPath(Path);
        var options = new SimulationOptions
        {
            RunCount = RunCount,
            Seed = Seed,
            EventsPerRun = EventsPerRun,
            IncludeBackground = !NoBackground.IsPresent,
            Compress = !NoCompression.IsPresent,
            Overwrite = Force.IsPresent,
        };
        if (Source is { Length: > 0 })
        {
            var sources = new List<SimulatedSource>();
            var fields = new List<SimulationField>();
            for (int i = 0; i < Source.Length; i++)
            {
                if (!SkyCoord.TryParse(Source[i], out var c))
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"cannot parse the source position '{Source[i]}' (use e.g. '83.63 22.01' or '05h34m31s +22d00m52s')"),
                        "BadSourcePosition", ErrorCategory.InvalidArgument, Source[i]));
                sources.Add(new SimulatedSource(c, SourceRate, Name: $"Source {i + 1}"));
                fields.Add(new SimulationField($"Source {i + 1}", c));
            }
            options.Sources = sources;
            options.Fields = fields; // the runs point at the sources (wobble)
        }

        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !Force.IsPresent)
        {
            ThrowFileError(new IOException($"the folder is not empty; use -Force to write into it (existing run and index files are replaced)"),
                "FolderNotEmpty", ErrorCategory.ResourceExists, folder);
        }
        if (!ShouldProcess(folder, $"Create a simulated data store with {RunCount} runs (seed {Seed})"))
        {
            return;
        }

        IReadOnlyList<Run> runs;
        try
        {
            runs = RunInBackground<SimulationProgress, IReadOnlyList<Run>>(
                (progress, stop) => DataStoreSimulator.Create(folder, options, progress, stop),
                p => ReportProgress("New-SimulatedDataStore", $"{p.RunsDone} of {RunCount} runs, {p.EventsWritten:N0} events", p.RunsDone, RunCount));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or Fits.FitsException)
        {
            CompleteAllProgress();
            ThrowFileError(e, "SimulationFailed", e is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.WriteError, folder);
            return;
        }
        ReportProgress("New-SimulatedDataStore", "indexed", RunCount, RunCount);
        CompleteAllProgress();
        foreach (var run in runs)
        {
            WriteObject(run);
        }
        base.EndProcessing();
    }
}
