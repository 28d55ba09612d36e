using System.Globalization;
using System.Management.Automation;
using GammapyTools.Cluster;
using GammapyTools.Config;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// Base of Submit-MimicCampaign and Submit-BackgroundCampaign: writes the campaign's sbatch scripts
/// (a job array, one task per shard, and a completion job) into results_dir/slurm (out_dir/slurm
/// when results_dir is not set), submits them unless -WhatIf, and with -Wait follows them to the end.
/// </summary>
public abstract class SubmitCampaignCmdlet : ConfigCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateRange(1, 100_000)]
    public int Tasks { get; set; }

    [Parameter] public string? Partition { get; set; }
    [Parameter] public string? TimeLimit { get; set; }
    [Parameter] public string? Account { get; set; }
    [Parameter] public string[]? ExtraSbatchArgument { get; set; }
    [Parameter] public SwitchParameter Wait { get; set; }
    /// <summary>Resubmit every shard, also those that finished.</summary>
    [Parameter] public SwitchParameter Force { get; set; }
    [Parameter]
    [ValidateRange(1, 3600)]
    public int PollSeconds { get; set; } = 10;

    protected abstract CampaignKind Kind { get; }
    protected abstract IEnumerable<string> ShardArguments();
    protected abstract IEnumerable<string> CompleteArguments();

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        string slurmDir = Path.Combine(ResultsDirectory(config) ?? outDir, "slurm");
        string prefix = Kind == CampaignKind.Mimic ? "mimic" : "background";
        // The jobs read a snapshot of the config, so editing the YAML while they queue changes nothing.
        string configPath = Path.Combine(slurmDir, $"{prefix}-config.yaml");
        try { config.Save(configPath, overwrite: true); }
        catch (ConfigException e) { ThrowFileError(e, "ConfigNotWritten", ErrorCategory.WriteError, configPath); }

        var settings = new SlurmCampaignSettings
        {
            Kind = Kind,
            ConfigPath = configPath,
            Tasks = Tasks,
            Directory = slurmDir,
            PwshCommand = PwshCommand(),
            ModulePath = ModulePath(),
            ShardArguments = ShardArguments().ToList(),
            CompleteArguments = CompleteArguments().ToList(),
            Partition = Partition,
            TimeLimit = TimeLimit,
            Account = Account,
            ExtraSbatchArguments = ExtraSbatchArgument ?? [],
        };
        var shards = SlurmCampaign.UnfinishedShards(settings, all: Force);
        var jobs = SlurmCampaign.Write(settings, shards);
        if (jobs.Count == 0)
        {
            WriteVerbose($"every shard and the completion of this campaign are done (markers in {slurmDir}); -Force resubmits everything");
            return;
        }
        if (shards.Count < Tasks) WriteVerbose($"{Tasks - shards.Count} of {Tasks} shard(s) finished earlier; submitting {(shards.Count == 0 ? "only the completion job" : "shards " + string.Join(", ", shards.Select(x => x.Index)))}");

        string what = shards.Count > 0 ? $"Submit a job array of {shards.Count} task(s) (shards {string.Join(",", shards.Select(x => x.Index))} of {Tasks}) and a completion job" : "Submit the completion job";
        if (!ShouldProcess(slurmDir, what))
        {
            // -WhatIf: the scripts are written; show them.
            // As host output (6>$null hides it), like Write-Host.
            foreach (var job in jobs)
                WriteInformation(new HostInformationMessage { Message = $"# ---- {job.Script}{Environment.NewLine}{File.ReadAllText(job.Script)}" }, ["PSHOST"]);
            WriteObject(jobs, enumerateCollection: true);
            return;
        }

        IReadOnlyList<SlurmJob> submitted;
        try { submitted = SlurmCampaign.Submit(settings, jobs); }
        catch (SlurmException e)
        {
            ThrowFileError(e, "SlurmSubmitFailed", ErrorCategory.ResourceUnavailable, slurmDir);
            return;
        }
        foreach (var job in submitted) WriteVerbose($"submitted {job.Role} job {job.JobId}: {job.Script}");
        if (!Wait)
        {
            WriteObject(submitted, enumerateCollection: true);
            return;
        }

        string activity = $"Slurm campaign {prefix} ({string.Join(", ", submitted.Select(j => j.JobId))})";
        (IReadOnlyList<SlurmJob> Jobs, IReadOnlyList<SlurmFailure> Failures) outcome;
        try
        {
            outcome = RunInBackground<(int Done, int Total, string Status), (IReadOnlyList<SlurmJob>, IReadOnlyList<SlurmFailure>)>(
                (progress, stop) => SlurmCampaign.Wait(settings, submitted, TimeSpan.FromSeconds(PollSeconds), progress, stop),
                p => ReportProgress(activity, $"{p.Done} of {p.Total} shards done; {p.Status}", p.Done, Math.Max(1, p.Total)));
        }
        catch (SlurmException e)
        {
            CompleteAllProgress();
            ThrowFileError(e, "SlurmQueryFailed", ErrorCategory.ResourceUnavailable, slurmDir);
            return;
        }
        CompleteAllProgress();
        foreach (var f in outcome.Failures)
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"{(f.Shard is { } s ? $"shard {s}" : "the completion job")} failed; the end of {f.Log}:{Environment.NewLine}{f.LogTail}"),
                f.Role == "shards" ? "SlurmTaskFailed" : "SlurmCompletionFailed", ErrorCategory.OperationStopped, f.Log));
        WriteObject(outcome.Jobs, enumerateCollection: true);
    }

    /// <summary>results_dir when it is set to a real folder (not the template's placeholder).</summary>
    private static string? ResultsDirectory(GammapyToolsConfig config)
    {
        if ((config.Get("io") as ConfigSection)?.Get("results_dir") is not string value || string.IsNullOrWhiteSpace(value)) return null;
        if (ConfigSchema.Io.First(k => k.Name == "results_dir").Default is string placeholder && value == placeholder) return null;
        return config.RequirePath("io", "results_dir");
    }

    /// <summary>The PowerShell running this command, by absolute path: pwsh itself, or dotnet and pwsh.dll (`dotnet pwsh`).</summary>
    private IReadOnlyList<string> PwshCommand()
    {
        string process = Environment.ProcessPath ?? throw new PSInvalidOperationException("the path of the running PowerShell is not known");
        if (!string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase)) return [process];
        string psHome = (string)SessionState.PSVariable.GetValue("PSHOME");
        return [process, Path.Combine(psHome, "pwsh.dll")];
    }

    /// <summary>The module manifest this cmdlet was loaded from (GammapyTools.psd1 above the DLL), else the DLL itself.</summary>
    private static string ModulePath()
    {
        string dll = typeof(SubmitCampaignCmdlet).Assembly.Location;
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(dll)!); dir is not null; dir = dir.Parent)
        {
            string manifest = Path.Combine(dir.FullName, "GammapyTools.psd1");
            if (File.Exists(manifest)) return manifest;
        }
        return dll;
    }

    protected static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// <para type="synopsis">Runs an Invoke-MimicDataset campaign on a Slurm cluster: a job array of -Tasks shards and a completion job.</para>
/// Full help: module/help/Submit-MimicCampaign.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Submit, "MimicCampaign", SupportsShouldProcess = true)]
[OutputType(typeof(SlurmJob))]
public sealed class SubmitMimicCampaignCommand : SubmitCampaignCmdlet
{
    [Parameter] public long Seed { get; set; }
    [Parameter] public SwitchParameter Ranked { get; set; }
    [Parameter] public SwitchParameter NoScramble { get; set; }

    protected override CampaignKind Kind => CampaignKind.Mimic;

    protected override IEnumerable<string> ShardArguments()
    {
        yield return "-Seed";
        yield return Number(Seed);
        if (Ranked) yield return "-Ranked";
        if (NoScramble) yield return "-NoScramble";
    }

    protected override IEnumerable<string> CompleteArguments()
    {
        yield return "-Seed";
        yield return Number(Seed);
        if (Ranked) yield return "-Ranked";
    }
}

/// <summary>
/// <para type="synopsis">Runs an Invoke-MakeBackground campaign on a Slurm cluster: a job array of -Tasks shards and a completion job.</para>
/// Full help: module/help/Submit-BackgroundCampaign.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Submit, "BackgroundCampaign", SupportsShouldProcess = true)]
[OutputType(typeof(SlurmJob))]
public sealed class SubmitBackgroundCampaignCommand : SubmitCampaignCmdlet
{
    [Parameter] public string[]? Catalog { get; set; }

    protected override CampaignKind Kind => CampaignKind.Background;

    private IEnumerable<string> CatalogArguments()
    {
        if (Catalog is null) yield break;
        yield return "-Catalog";
        // @() when empty: no catalogs at all (not the default ones).
        yield return Catalog.Length == 0 ? "@()" : string.Join(",", Catalog.Select(c => SlurmCampaign.PowerShellQuote(ResolveUserPath(c))));
    }

    protected override IEnumerable<string> ShardArguments() => CatalogArguments();
    protected override IEnumerable<string> CompleteArguments() => CatalogArguments();
}
