using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Writes a PNG of a background model: rate against offset per energy band and the energy × offset map (bkg_2d), or FoV maps (bkg_3d).</para>
/// Help: module/help/Export-BackgroundModelPlot.psd1.
/// </summary>
[Cmdlet(VerbsData.Export, "BackgroundModelPlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportBackgroundModelPlotCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    [Parameter(Position = 0)]
    public string? Path { get; set; }

    [Parameter]
    public string? Destination { get; set; }

    [Parameter, ValidateRange(300, 10000)]
    public int Width { get; set; } = 1600;

    [Parameter, ValidateRange(200, 10000)]
    public int Height { get; set; } = 700;

    [Parameter]
    public SwitchParameter Force { get; set; }

    private int _count;

    protected override void BeginProcessing()
    {
        if (string.IsNullOrWhiteSpace(Path) == string.IsNullOrWhiteSpace(Destination))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("give exactly one of -Path (one PNG) or -Destination (a folder: <OBS_ID>_background.png per run)"),
                "OutputNotGiven", ErrorCategory.InvalidArgument, null));
    }

    protected override void ProcessRecord()
    {
        object value = InputObject is PSObject ps ? ps.BaseObject : InputObject;
        if (Path is not null && ++_count > 1)
        {
            WriteFileError(new ArgumentException("-Path names one PNG, but more than one model came; use -Destination"), "PathForSeveralModels", ErrorCategory.InvalidArgument, value);
            return;
        }
        long obsId;
        BackgroundModel model;
        try
        {
            (obsId, model) = value switch
            {
                BackgroundModelResult r => (r.ObsId, r.Model3D is { } m3 ? BackgroundModel.From(m3) : BackgroundModel.From(r.Model2D!)),
                Run run => (run.ObsId, BackgroundModel.Read(run.FindHdu("bkg") ?? throw new FitsException($"run {run.ObsId} has no background HDU", run.Path))),
                _ => throw new ArgumentException($"expected a Run (with a background HDU) or a New-BackgroundModel result, not {value.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException or ArgumentException or FormatException)
        {
            WriteFileError(e, "BackgroundUnreadable", ErrorCategory.ReadError, value);
            return;
        }
        string output = Path is not null ? ResolveUserPath(Path) : System.IO.Path.Combine(ResolveUserPath(Destination!), $"{obsId}_background.png");
        if (File.Exists(output) && !Force)
        {
            WriteFileError(new IOException("the output file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
            return;
        }
        if (!ShouldProcess(output, $"Write a picture of the {model.HduClass} background model of run {obsId}")) return;
        try { WriteObject(new FileInfo(BackgroundModelPlot.Write(output, model, $"run {obsId} {model.HduClass}", Width, Height, overwrite: Force))); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteFileError(e, "PlotFailed", ErrorCategory.WriteError, output);
        }
    }
}

/// <summary>
/// <para type="synopsis">Writes a bar chart of KL divergences (Get-KlDivergence or Find-MimicRun output), most similar run first.</para>
/// Help: module/help/Export-KlDivergencePlot.psd1.
/// </summary>
[Cmdlet(VerbsData.Export, "KlDivergencePlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportKlDivergencePlotCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public long ObsId { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public double KlDivergence { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public string Title { get; set; } = "KL divergence of candidate background models";

    [Parameter, ValidateRange(300, 10000)]
    public int Width { get; set; } = 1200;

    [Parameter, ValidateRange(200, 10000)]
    public int Height { get; set; } = 600;

    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<KlRankingEntry> _entries = [];

    protected override void ProcessRecord() => _entries.Add(new KlRankingEntry(ObsId, KlDivergence));

    protected override void EndProcessing()
    {
        string output = ResolveUserPath(Path);
        if (_entries.Count == 0)
        {
            WriteFileError(new ArgumentException("no KL divergences came from the pipeline"), "NothingToPlot", ErrorCategory.InvalidArgument, output);
        }
        else if (File.Exists(output) && !Force)
        {
            WriteFileError(new IOException("the output file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
        }
        else if (ShouldProcess(output, $"Write the KL ranking of {_entries.Count} runs"))
        {
            try { WriteObject(new FileInfo(KlRankingPlot.Write(output, _entries, Title, Width, Height, overwrite: Force))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                WriteFileError(e, "PlotFailed", ErrorCategory.WriteError, output);
            }
        }
        base.EndProcessing();
    }
}
