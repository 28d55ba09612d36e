using System.Management.Automation;
using GammapyTools.Config;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Creates a gammapy-tools configuration with the template's defaults.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "GammapyToolsConfig")]
[OutputType(typeof(GammapyToolsConfig))]
public sealed class NewGammapyToolsConfigCommand : GammapyCmdlet
{
    protected override void EndProcessing()
    {
        WriteObject(GammapyToolsConfig.CreateDefault());
        base.EndProcessing();
    }
}

/// <summary>
/// <para type="synopsis">Reads a gammapy-tools YAML configuration.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "GammapyToolsConfig")]
[OutputType(typeof(GammapyToolsConfig))]
public sealed class ImportGammapyToolsConfigCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter]
    public SwitchParameter Strict { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string file in ResolveFilePaths(Path))
        {
            try
            {
                var cfg = GammapyToolsConfig.Load(file);
                if (Strict) cfg.ThrowIfUnknownKeys();
                foreach (string warning in cfg.Warnings) WriteWarning(warning);
                WriteObject(cfg);
            }
            catch (ConfigException e)
            {
                // The message already names the file, line and column.
                WriteError(new ErrorRecord(e, "ConfigInvalid", ErrorCategory.InvalidData, file));
            }
        }
    }
}

/// <summary>
/// <para type="synopsis">Writes a gammapy-tools configuration as YAML.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "GammapyToolsConfig", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportGammapyToolsConfigCommand : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public GammapyToolsConfig? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string full = ResolveUserPath(Path);
        if (File.Exists(full) && !Force)
        {
            WriteFileError(new IOException($"the file exists; use -Force to replace it"), "FileExists", ErrorCategory.ResourceExists, full);
            return;
        }
        if (!ShouldProcess(full, "Write gammapy-tools config")) return;
        try
        {
            InputObject!.Save(full, overwrite: Force);
            if (PassThru) WriteObject(new FileInfo(full));
        }
        catch (ConfigException e)
        {
            WriteError(new ErrorRecord(e, "ConfigWriteFailed", ErrorCategory.WriteError, full));
        }
    }
}
