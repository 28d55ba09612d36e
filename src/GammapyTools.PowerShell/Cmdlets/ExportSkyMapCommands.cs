using System.Management.Automation;
using GammapyTools.Fits;
using GammapyTools.Maps;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Writes a sky map (New-SkyMap) as a FITS file of images that gammapy reads: COUNTS, BACKGROUND, EXCESS, ALPHA, SQRT_TS, …</para>
/// Help: module/help/Export-SkyMap.psd1.
/// </summary>
[Cmdlet(VerbsData.Export, "SkyMap", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSkyMapCommand : SkyMapExportCmdlet
{
    protected override string What => "sky map images";
    protected override string Write(SkyMap map, string path) => SkyMapFile.Write(path, map, Force);
}

/// <summary>
/// <para type="synopsis">Writes the PNG of a sky map: significance, excess and α maps, and the significance distribution with its Gaussian fit.</para>
/// Help: module/help/Export-SkyMapPlot.psd1.
/// </summary>
[Cmdlet(VerbsData.Export, "SkyMapPlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSkyMapPlotCommand : SkyMapExportCmdlet
{
    [Parameter, ValidateRange(400, 10000)]
    public int Width { get; set; } = 1600;

    [Parameter, ValidateRange(300, 10000)]
    public int Height { get; set; } = 1200;

    [Parameter]
    public string? Title { get; set; }

    protected override string What => "a picture of the sky map";
    protected override string Write(SkyMap map, string path) =>
        SkyMapPlot.Write(path, map, Title ?? $"{map.RunCount} run(s) at {map.Target}", Width, Height, Force);
}

/// <summary>What both exports share: one SkyMap from the pipeline, one output file, -Force, -WhatIf, errors.</summary>
public abstract class SkyMapExportCmdlet : GammapyCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected abstract string What { get; }
    protected abstract string Write(SkyMap map, string path);

    private int _count;

    protected override void ProcessRecord()
    {
        object value = InputObject is PSObject ps ? ps.BaseObject : InputObject;
        // A Test-MimicDataset row carries its map.
        var map = value switch { SkyMap m => m, MimicDatasetRow r => r.Map, _ => null };
        if (map is null)
        {
            WriteFileError(new ArgumentException($"expected a sky map (New-SkyMap) or a Test-MimicDataset row, not {value.GetType().Name}"),
                "NotASkyMap", ErrorCategory.InvalidArgument, value);
            return;
        }
        if (++_count > 1)
        {
            WriteFileError(new ArgumentException("-Path names one file, but more than one sky map came; export them one by one"),
                "PathForSeveralMaps", ErrorCategory.InvalidArgument, value);
            return;
        }
        string output = ResolveUserPath(Path);
        if (File.Exists(output) && !Force)
        {
            WriteFileError(new IOException("the output file exists; use -Force to replace it"), "OutputExists", ErrorCategory.ResourceExists, output);
            return;
        }
        if (!ShouldProcess(output, $"Write {What} of {map.RunCount} run(s) at {map.Target}")) return;
        try { WriteObject(new FileInfo(Write(map, output))); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FitsException)
        {
            WriteFileError(e, "ExportFailed", ErrorCategory.WriteError, output);
        }
    }
}
