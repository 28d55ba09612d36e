using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Sky;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Builds a background model (bkg_2d or bkg_3d) for runs from their own or matched runs' events.</para>
/// Full help: module/help/New-BackgroundModel.psd1.
/// </summary>
[Cmdlet(VerbsCommon.New, "BackgroundModel", DefaultParameterSetName = FromRunSet)]
[OutputType(typeof(BackgroundModelResult))]
public sealed class NewBackgroundModelCommand : GammapyCmdlet
{
    private const string FromRunSet = "FromRun";
    private const string MatchedSet = "Matched";

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public Run[] Run { get; set; } = [];

    [Parameter(ParameterSetName = FromRunSet)]
    public SwitchParameter FromRun { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = MatchedSet)]
    public Run[] BackgroundRun { get; set; } = [];

    [Parameter] public double EnergyMin { get; set; } = 0.1;
    [Parameter] public double EnergyMax { get; set; } = 100.0;
    [Parameter, ValidateRange(1, 10_000)] public int EnergyBins { get; set; } = 20;
    [Parameter, ValidateRange(0.01, 90.0)] public double OffsetMax { get; set; } = 2.5;
    [Parameter, ValidateRange(1, 10_000)] public int OffsetBins { get; set; } = 10;
    [Parameter] public SwitchParameter ThreeDimensional { get; set; }
    // Smoothing is on by default (the template's smooth: true, σ = 1 bin); -Smooth is kept for scripts that pass it.
    [Parameter] public SwitchParameter Smooth { get; set; }
    [Parameter] public SwitchParameter NoSmooth { get; set; }
    [Parameter, ValidateRange(0.0, 100.0)] public double SmoothSigma { get; set; } = 1.0;
    [Parameter, ArgumentCompleter(typeof(CatalogFileCompleter))] public string[]? Catalog { get; set; }
    [Parameter] public string[]? ExcludeRegion { get; set; }
    [Parameter] public SwitchParameter NoExclusion { get; set; }

    private BackgroundModelOptions? _options;

    protected override void BeginProcessing()
    {
        try
        {
            ExclusionOptions? exclusions = null;
            if (!NoExclusion)
            {
                var paths = Catalog?.Select(ResolveUserPath).ToList();
                if (paths is null) WarnMissingDefaultCatalogs();
                var catalogs = paths is not null || CatalogSet.DefaultPaths().Any() ? CatalogSet.Load(paths) : null;
                if (catalogs is null)
                    WriteSessionWarning("No catalog given and none found under $GAMMAPY_DATA/catalogs: known sources and bright stars are not excluded. Use -Catalog, or -NoExclusion to silence this.");
                exclusions = new ExclusionOptions
                {
                    Catalogs = catalogs,
                    UserRegions = (ExcludeRegion ?? []).Select(r => ExclusionRegion.Parse(r, 0.35)).ToList(),
                };
            }
            var binning = new BackgroundBinning(EnergyMin, EnergyMax, EnergyBins, 0.0, OffsetMax, OffsetBins);
            binning.Validate();
            _options = new BackgroundModelOptions
            {
                Binning = binning,
                ThreeDimensional = ThreeDimensional,
                SmoothSigma = NoSmooth ? null : SmoothSigma,
                Exclusions = exclusions,
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or KeyNotFoundException)
        {
            ThrowTerminatingError(CreateFileError(e, "BadBackgroundOptions", ErrorCategory.InvalidArgument, Catalog?.FirstOrDefault()));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var run in Run)
        {
            IReadOnlyList<Run> sources = ParameterSetName == MatchedSet ? BackgroundRun : [run];
            WriteVerbose($"run {run.ObsId}: background from {sources.Count} run(s)");
            try
            {
                var model = BackgroundModelBuilder.Build(run, sources, _options!);
                foreach (string w in model.Warnings) WriteWarning(w);
                WriteObject(model);
            }
            catch (Exception e) when (e is FitsException or IOException or InvalidOperationException or ArgumentException or KeyNotFoundException)
            {
                WriteFileError(e, "BackgroundNotBuilt", ErrorCategory.InvalidData, run);
            }
        }
    }
}

/// <summary>
/// <para type="synopsis">Writes a copy of a run's file with a background model attached.</para>
/// Full help: module/help/Add-Background.psd1.
/// </summary>
[Cmdlet(VerbsCommon.Add, "Background", SupportsShouldProcess = true)]
[OutputType(typeof(Run))]
public sealed class AddBackgroundCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public BackgroundModelResult[] InputObject { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0)]
    public string Destination { get; set; } = "";

    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string folder = ResolveUserPath(Destination);
        foreach (var model in InputObject)
        {
            string output = Path.Combine(folder, Path.GetFileName(model.Run.Path));
            if (!Force && File.Exists(output))
            {
                WriteFileError(new IOException("the file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
                continue;
            }
            if (!ShouldProcess(output, $"Write run {model.ObsId} with a {model.BackgroundClass} background")) continue;
            try { WriteObject(BackgroundModelBuilder.Attach(model.Run, model.ToHdu(), output, Force)); }
            catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
            {
                WriteFileError(e, "BackgroundNotWritten", ErrorCategory.WriteError, model.Run);
            }
        }
    }
}
