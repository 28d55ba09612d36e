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

    /// <summary>Unknown config keys are errors (a misspelt key otherwise only warns, and its default is used).</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    /// <summary>
    /// The config to work on: a copy of the object given (a command never changes the user's
    /// object; it returns the updated copy), or the file loaded when a path was given (warnings
    /// written); with -Strict, none with unknown keys.
    /// </summary>
    protected GammapyToolsConfig ResolveConfig()
    {
        var cfg = LoadConfig();
        if (Strict) RequireKnownKeys(this, cfg);
        return cfg;
    }

    /// <summary>-Strict: a config with unknown keys stops the command before any work (terminating error naming the keys).</summary>
    internal static void RequireKnownKeys(GammapyCmdlet cmdlet, GammapyToolsConfig cfg)
    {
        try { cfg.ThrowIfUnknownKeys(); }
        catch (ConfigException e)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(e, "ConfigUnknownKey", ErrorCategory.InvalidData, (object?)cfg.SourcePath ?? cfg));
        }
    }

    private GammapyToolsConfig LoadConfig()
    {
        object value = Config is PSObject ps ? ps.BaseObject : Config;
        switch (value)
        {
            case GammapyToolsConfig cfg:
                return cfg.Clone();
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
        Func<IProgress<Output.CampaignProgress>, CancellationToken, T> work) where T : class
    {
        try
        {
            var result = RunInBackground(work, p => ReportProgress(activity, $"{p.Done} of {p.Total} {unit}", p.Done, p.Total,
                currentOperation: p.ObsId is long id ? $"run {id}" : null));
            CompleteAllProgress();
            return result;
        }
        catch (Output.CampaignLockException e)
        {
            CompleteAllProgress();
            ThrowFileError(e, "OutDirInUse", ErrorCategory.ResourceBusy, e.Folder);
            return null;
        }
        catch (Exception e) when (e is ConfigException or Fits.FitsException or IOException or FormatException or ArgumentException or KeyNotFoundException or UnauthorizedAccessException)
        {
            CompleteAllProgress();
            ThrowFileError(e, errorId, ErrorCategory.InvalidData, (e as Fits.FitsException)?.FilePath ?? (e as ConfigException)?.FilePath ?? config.SourcePath);
            return null;
        }
    }

    /// <summary>
    /// After the per-target results: the errors of the campaign's final steps (an index or config copy
    /// not written, each naming its file) and a summary of how many targets failed — a warning when
    /// anything failed, so that a batch log shows it; verbose otherwise. A <paramref name="notice"/>
    /// (e.g. which criterion left how many targets without candidates) is added to the line and makes it a warning.
    /// </summary>
    protected void WriteCampaignSummary<T>(string activity, string unit, Output.CampaignResults<T> results, int failed, string? notice = null)
    {
        foreach (var e in results.FinalStepErrors)
            WriteFileError(e, "CampaignFileNotWritten", ErrorCategory.WriteError,
                (e as Fits.FitsException)?.FilePath ?? (e as ConfigException)?.FilePath ?? (object)activity);
        string summary = $"{activity}: {results.Count - failed} of {results.Count} {unit} done, {failed} failed" +
            (results.FinalStepErrors.Count > 0 ? $"; {results.FinalStepErrors.Count} index or config file(s) not written" : "") +
            (notice is null ? "" : $"; {notice}");
        if (failed > 0 || results.FinalStepErrors.Count > 0 || notice is not null) WriteWarning(summary);
        else WriteVerbose(summary);
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
