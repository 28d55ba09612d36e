using System.Management.Automation;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Writes a PNG that shows what scrambling did: counts maps, offset and position-angle distributions before and after.</para>
/// Help: module/help/Export-ScrambleDiagnostic.psd1.
/// </summary>
[Cmdlet(VerbsData.Export, "ScrambleDiagnostic", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportScrambleDiagnosticCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true)]
    public object Original { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object Scrambled { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    [ArgumentCompleter(typeof(SourceNameCompleter))]
    public string[] ScramblePoint { get; set; } = [];

    [Parameter]
    public double[] ScrambleTheta { get; set; } = [];

    [Parameter]
    [ArgumentCompleter(typeof(CatalogFileCompleter))]
    public string[] Catalog { get; set; } = [];

    [Parameter]
    [ValidateRange(300, 10000)]
    public int Width { get; set; } = 1800;

    [Parameter]
    [ValidateRange(200, 10000)]
    public int Height { get; set; } = 1000;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string output = ResolveUserPath(Path);
        Run? original = ToRun(Original), scrambled = ToRun(Scrambled);
        if (original is null || scrambled is null) return;
        IReadOnlyList<ScrambleSource>? sources = null;
        if (ScramblePoint.Length > 0)
        {
            try
            {
                var catalogs = ScramblePoint.Any(p => !SkyCoord.TryParse(p, out _)) ? CatalogSet.Load(Catalog.Select(ResolveUserPath)) : null;
                sources = new ConvertOptions { ScramblePoints = ScramblePoint, ScrambleTheta = ScrambleTheta, Catalogs = catalogs }.ResolveScrambleSources();
            }
            catch (Exception e) when (e is FovConversionException or IOException or FitsException or FormatException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "BadScramblePoint", ErrorCategory.InvalidArgument, ScramblePoint));
            }
        }
        if (File.Exists(output) && !Force)
        {
            WriteFileError(new IOException("the output file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
            return;
        }
        if (!ShouldProcess(output, $"Write the scrambling diagnostic of run {scrambled.ObsId} against run {original.ObsId}")) return;
        try
        {
            ScrambleDiagnostic.Write(output, original, scrambled, sources, Width, Height, overwrite: Force);
            WriteObject(new FileInfo(output));
        }
        catch (Exception e) when (e is FovConversionException or FitsException or IOException or UnauthorizedAccessException or KeyNotFoundException)
        {
            WriteFileError(e, "DiagnosticFailed", ErrorCategory.WriteError, output);
        }
    }

    private Run? ToRun(object value)
    {
        object v = value is PSObject p ? p.BaseObject : value;
        if (v is Run r) return r;
        string? path = v switch { FileSystemInfo f => f.FullName, string s => ResolveUserPath(s), _ => null };
        if (path is null)
        {
            WriteFileError(new ArgumentException($"expected a Run or the path of a DL3 file, not {v.GetType().Name}"), "BadRun", ErrorCategory.InvalidArgument, value);
            return null;
        }
        try { return Run.FromFile(path); }
        catch (Exception e) when (e is FitsException or IOException or UnauthorizedAccessException)
        {
            WriteFileError(e, "RunUnreadable", ErrorCategory.ReadError, path);
            return null;
        }
    }
}
