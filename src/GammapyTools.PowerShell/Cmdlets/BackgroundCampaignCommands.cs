using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Fits;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Copies the run list's runs out of the search data store into io.in_dir (gammapy-tools prepare_dataset).</para>
/// Full help: module/help/Invoke-PrepareDataset.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PrepareDataset", SupportsShouldProcess = true)]
[OutputType(typeof(GammapyToolsConfig))]
public sealed class InvokePrepareDatasetCommand : ConfigCmdlet
{
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string target = RequireConfigPath(config, "io", "in_dir");
        if (!ShouldProcess(target, "Copy the run list's runs from the search data store")) return;
        var result = RunCampaign(config, "Invoke-PrepareDataset", "runs", "PrepareFailed",
            progress => DatasetPreparer.Prepare(config, Force, progress));
        if (result is null) return;
        foreach (long id in result.Missing)
            WriteFileError(new ItemNotFoundException($"run {id} of the run list is not in the search data store"),
                "RunNotInSearchStore", ErrorCategory.ObjectNotFound, id);
        WriteVerbose($"{result.Runs.Count} run(s) in {result.InDir}; {result.Copied} file(s) copied; {result.Missing.Count} missing");
        WriteObject(config);
    }
}

/// <summary>
/// <para type="synopsis">Builds a background model for every run of io.in_dir and writes the runs with it to io.out_dir (gammapy-tools run_make_background).</para>
/// Full help: module/help/Invoke-MakeBackground.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MakeBackground", SupportsShouldProcess = true)]
[OutputType(typeof(GammapyToolsConfig))]
public sealed class InvokeMakeBackgroundCommand : ConfigCmdlet
{
    [Parameter] public SwitchParameter Force { get; set; }
    [Parameter, ArgumentCompleter(typeof(CatalogFileCompleter))] public string[]? Catalog { get; set; }
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? ThrottleLimit { get; set; }
    [Parameter] public string? CachePath { get; set; }
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        if (!ShouldProcess(outDir, "Write runs with background models and index them")) return;
        var options = new MakeBackgroundOptions
        {
            Overwrite = Force,
            MaxParallelism = ResolveThrottleLimit(config, ThrottleLimit),
            CacheDirectory = CachePath is null ? null : ResolveUserPath(CachePath),
            CatalogPaths = Catalog?.Select(ResolveUserPath).ToList(),
        };
        var results = RunCampaign(config, "Invoke-MakeBackground", "runs", "MakeBackgroundFailed",
            progress => BackgroundMaker.Run(config, options, progress));
        if (results is null) return;
        foreach (var r in results)
        {
            foreach (string w in r.Warnings) WriteWarning(w);
            if (r.Error is not null) WriteFileError(r.Error, "BackgroundNotMade", ErrorCategory.InvalidData, r.ObsId);
            else WriteVerbose($"run {r.ObsId}: {(r.Skipped ? "kept the existing output" : "written")} from {r.BackgroundRuns.Count} run(s), {r.Hours:0.##} h");
        }
        WriteCampaignSummary("Invoke-MakeBackground", "runs", results, results.Count(r => !r.Succeeded));
        if (PassThru) WriteObject(results, enumerateCollection: true);
        else WriteObject(config);
    }
}
