using System.Management.Automation;
using GammapyTools.Config;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// Base of the config-driven cmdlets (Invoke-PrepareDataset, Invoke-MakeBackground,
/// Invoke-MimicDataset): -Config takes a config object (Import-GammapyToolsConfig) or the path of
/// a YAML file, as gammapy-tools users have them.
/// </summary>
public abstract class ConfigCmdlet : GammapyCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public object Config { get; set; } = "";

    /// <summary>The config object, loaded from the file when a path was given (warnings written).</summary>
    protected GammapyToolsConfig ResolveConfig()
    {
        object value = Config is PSObject ps ? ps.BaseObject : Config;
        switch (value)
        {
            case GammapyToolsConfig cfg:
                return cfg;
            case string or FileInfo:
                string path = ResolveUserPath(value is FileInfo fi ? fi.FullName : (string)value);
                try
                {
                    var cfg = GammapyToolsConfig.Load(path);
                    foreach (string warning in cfg.Warnings) WriteWarning(warning);
                    return cfg;
                }
                catch (ConfigException e)
                {
                    ThrowFileError(e, "ConfigUnreadable", ErrorCategory.InvalidData, path);
                    throw; // not reached
                }
            default:
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-Config takes a config (Import-GammapyToolsConfig) or the path of a YAML file, not {value.GetType().Name}"),
                    "BadConfigArgument", ErrorCategory.InvalidArgument, value));
                throw new InvalidOperationException(); // not reached
        }
    }
}
