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

    /// <summary>
    /// Runs a config-driven campaign on a worker thread with a progress bar ("done of total
    /// <paramref name="unit"/>"). A failure of the whole campaign (an unreadable store, a bad
    /// config) is a terminating error naming the file; per-run failures are the campaign's results.
    /// </summary>
    protected T? RunCampaign<T>(GammapyToolsConfig config, string activity, string unit, string errorId,
        Func<IProgress<(int Done, int Total)>, T> work) where T : class
    {
        try
        {
            var result = RunInBackground(work, p => ReportProgress(activity, $"{p.Done} of {p.Total} {unit}", p.Done, p.Total));
            CompleteAllProgress();
            return result;
        }
        catch (Exception e) when (e is ConfigException or Fits.FitsException or IOException or FormatException or ArgumentException or KeyNotFoundException or UnauthorizedAccessException)
        {
            CompleteAllProgress();
            ThrowFileError(e, errorId, ErrorCategory.InvalidData, (e as Fits.FitsException)?.FilePath ?? config.SourcePath);
            return null;
        }
    }

    /// <summary>An absolute path the config requires; a missing one stops the command with an error naming the key.</summary>
    protected string RequireConfigPath(GammapyToolsConfig config, string section, string key)
    {
        try { return config.RequirePath(section, key); }
        catch (ConfigException e)
        {
            ThrowFileError(e, "ConfigIncomplete", ErrorCategory.InvalidArgument, config.SourcePath);
            throw; // not reached
        }
    }

    /// <summary>
    /// The degree of parallelism of a campaign: -ThrottleLimit when given, else config.njobs
    /// (-1: every core), else every core. A bad njobs stops the command with an error naming the key.
    /// </summary>
    protected int ResolveThrottleLimit(GammapyToolsConfig config, int? throttleLimit)
    {
        if (throttleLimit is int t)
        {
            WriteVerbose($"{t} parallel job(s) (-ThrottleLimit)");
            return t;
        }
        try
        {
            int? njobs = config.NJobs;
            WriteVerbose(njobs is int n ? $"{n} parallel job(s) (config.njobs)" : $"{Environment.ProcessorCount} parallel job(s) (every core; config.njobs is not set)");
            return njobs ?? Environment.ProcessorCount;
        }
        catch (ConfigException e)
        {
            ThrowFileError(e, "BadNJobs", ErrorCategory.InvalidArgument, config.SourcePath);
            throw; // not reached
        }
    }
}
