using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Output;
using GammapyTools.Sky;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Re-points background runs onto a target run's field of view (mimic runs), optionally scrambling known sources.</para>
/// Help: module/help/Convert-Fov.psd1.
/// </summary>
[Cmdlet(VerbsData.Convert, "Fov", SupportsShouldProcess = true, DefaultParameterSetName = RunSet)]
[OutputType(typeof(Run))]
public sealed class ConvertFovCommand : GammapyCmdlet
{
    private const string RunSet = "Run";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, ParameterSetName = RunSet, ValueFromPipeline = true)]
    public Run[] Run { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0)]
    public object Target { get; set; } = null!;

    [Parameter(Position = 1)]
    public string? Destination { get; set; }

    [Parameter]
    public string? OutputPath { get; set; }

    [Parameter]
    public SwitchParameter CopyBackground { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(SourceNameCompleter))]
    public string[] ScramblePoint { get; set; } = [];

    [Parameter]
    [ValidateRange(0.0, 90.0)]
    public double[] ScrambleTheta { get; set; } = [];

    [Parameter]
    [ArgumentCompleter(typeof(CatalogFileCompleter))]
    public string[] Catalog { get; set; } = [];

    [Parameter]
    public long? Seed { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    private Run _target = null!;
    private ConvertOptions _options = null!;

    protected override void BeginProcessing()
    {
        if (string.IsNullOrWhiteSpace(Destination) == string.IsNullOrWhiteSpace(OutputPath))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("give exactly one of -Destination (a folder) or -OutputPath (a file)"),
                "OutputNotGiven", ErrorCategory.InvalidArgument, null));
        _target = ResolveTarget(Target);
        IReadOnlyList<ScrambleSource> sources = [];
        try
        {
            bool needsCatalogs = ScramblePoint.Any(p => !SkyCoord.TryParse(p, out _));
            if (needsCatalogs && Catalog.Length == 0) WarnMissingDefaultCatalogs();
            var catalogs = needsCatalogs ? CatalogSet.Load(Catalog.Select(ResolveUserPath)) : null;
            // Without -ScrambleTheta, scramble points get the reference's radius.
            double[] theta = MyInvocation.BoundParameters.ContainsKey(nameof(ScrambleTheta)) || ScramblePoint.Length == 0
                ? ScrambleTheta : [ConvertOptions.DefaultScrambleTheta];
            sources = new ConvertOptions { ScramblePoints = ScramblePoint, ScrambleTheta = theta, Catalogs = catalogs }.ResolveScrambleSources();
        }
        catch (Exception e) when (e is FovConversionException or FileNotFoundException or IOException or FitsException or FormatException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "BadScramblePoint", ErrorCategory.InvalidArgument, ScramblePoint));
        }
        _options = new ConvertOptions
        {
            Destination = Destination is null ? null : ResolveUserPath(Destination),
            OutputPath = OutputPath is null ? null : ResolveUserPath(OutputPath),
            CopyBackground = CopyBackground,
            Force = Force,
            Sources = sources,
            Seed = Seed,
        };
    }

    private Run ResolveTarget(object target)
    {
        object value = target is PSObject pso ? pso.BaseObject : target;
        string? path = value switch
        {
            Run run => null,
            FileSystemInfo f => f.FullName,
            string s => ResolveUserPath(s),
            _ => null,
        };
        if (value is Run r) return r;
        if (path is null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Target must be a Run or the path of a DL3 file, not {value.GetType().Name}"),
                "BadTarget", ErrorCategory.InvalidArgument, target));
        try { return Dl3.Run.FromFile(path!); }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
        {
            ThrowFileError(e, "TargetUnreadable", ErrorCategory.ReadError, path);
            throw; // not reached
        }
    }

    // Inputs are collected first: the output names depend on how many background runs there are
    // (one: the target's file name; several: <target stem>_bkg<obs>), and an -OutputPath given
    // for several runs must be refused before anything is written.
    private readonly List<(Run Run, string File)> _inputs = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RunSet)
        {
            foreach (var run in Run) _inputs.Add((run, run.Path));
        }
        else
        {
            foreach (var file in ResolveFilePaths(Path))
            {
                try { _inputs.Add((Dl3.Run.FromFile(file), file)); }
                catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
                {
                    WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, file);
                }
            }
        }
    }

    private readonly HashSet<string> _cleaned = new(StringComparer.Ordinal);

    protected override void EndProcessing()
    {
        if (_inputs.Count > 1)
        {
            if (_options.OutputPath is not null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-OutputPath names one file, but {_inputs.Count} background runs were given; use -Destination (each run then gets <target name>_bkg<OBS_ID>)"),
                    "OutputPathForSeveralRuns", ErrorCategory.InvalidArgument, _options.OutputPath));
            var repeated = _inputs.GroupBy(i => i.Run.ObsId).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"background run {repeated.Key} was given {repeated.Count()} times ({string.Join(", ", repeated.Select(i => i.File).Distinct())}); each would write the same output"),
                    "RepeatedBackgroundRun", ErrorCategory.InvalidArgument, repeated.Key));
            _options = new ConvertOptions
            {
                Destination = _options.Destination, CopyBackground = _options.CopyBackground, Force = _options.Force,
                Sources = _options.Sources, Seed = _options.Seed, NameByBackground = true,
            };
        }
        CompleteProgressWhenStopped(() =>
        {
            for (int i = 0; i < _inputs.Count; i++) ConvertOne(_inputs[i].Run, _inputs[i].File, i);
        });
        base.EndProcessing();
    }

    private void ConvertOne(Run background, string file, int index)
    {
        string output;
        try { output = _options.ResolveOutputPath(_target.Path, background.ObsId); }
        catch (FovConversionException e) { WriteFileError(e, "BadOutput", ErrorCategory.InvalidArgument, file); return; }
        try { AtomicFile.CheckDestination(output, overwrite: true); }
        catch (OutputPathException e)
        {
            WriteFileError(e, "OutputNotAFile", ErrorCategory.InvalidArgument, output);
            return;
        }
        if (File.Exists(output) && !Force)
        {
            WriteFileError(new IOException("the output file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
            return;
        }
        if (!ShouldProcess(output, $"Convert run {background.ObsId} ({System.IO.Path.GetFileName(file)}) to the field of view of run {_target.ObsId}"))
            return;
        ReportProgress("Convert-Fov", $"Converting run {background.ObsId} to the field of run {_target.ObsId}", index, _inputs.Count, currentOperation: file);
        try
        {
            // Killed conversions leave hidden temporary files; remove those of dead writers once per folder.
            string folder = System.IO.Path.GetDirectoryName(output)!;
            if (_cleaned.Add(folder))
                foreach (string stale in StaleTempFiles.Remove(folder)) WriteVerbose($"removed {stale}, left by a writer that is no longer running");
            ThrowIfStopping();
            var result = FovConverter.Convert(background, _target, _options, StopToken);
            foreach (string w in result.Warnings) WriteWarning($"run {background.ObsId}: {w}");
            foreach (var s in result.Scrambled)
                WriteVerbose($"run {background.ObsId}: scrambled '{s.Source.Name}' at {s.Distance:0.###}° offset, {s.AnnulusEvents} annulus events (seed {result.Seed})");
            WriteObject(result.Run);
        }
        catch (Exception e) when (e is FovConversionException or FitsException or IOException or UnauthorizedAccessException or KeyNotFoundException or InvalidCastException)
        {
            WriteFileError(e, "ConvertFailed", ErrorCategory.InvalidData, file);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
    }
}
