using System.Management.Automation;
using GammapyTools.Cluster;
using GammapyTools.Config;
using GammapyTools.Fits;
using GammapyTools.Mimic;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Builds n_mimic complete mimic data stores for the runs of a config's run list.</para>
/// Full help: module/help/Invoke-MimicDataset.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MimicDataset", SupportsShouldProcess = true)]
[OutputType(typeof(MimicDatasetResult))]
public sealed class InvokeMimicDatasetCommand : ConfigCmdlet
{
    [Parameter] public long Seed { get; set; }
    [Parameter] public SwitchParameter Ranked { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }
    [Parameter] public SwitchParameter NoScramble { get; set; }
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? ThrottleLimit { get; set; }
    [Parameter, ArgumentCompleter(typeof(CatalogFileCompleter))] public string[]? Catalog { get; set; }
    [Parameter] public string? CachePath { get; set; }
    /// <summary>Part i/N of the run list (1-based); no indexes are written (Complete-MimicDataset does).</summary>
    [Parameter] public Shard? Shard { get; set; }

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        int n = config.GetBackgroundSelection().NMimic;
        string action = Shard is { } s ? $"Write the outputs of shard {s} of the run list into mimic_1 … mimic_{n} (no indexes)" : $"Write {n} mimic data stores (mimic_1 … mimic_{n})";
        if (!ShouldProcess(outDir, action)) return;
        var options = new MimicDatasetOptions
        {
            Seed = Seed, Ranked = Ranked, Force = Force, NoScramble = NoScramble, MaxParallelism = ResolveThrottleLimit(config, ThrottleLimit),
            CatalogPaths = Catalog?.Select(ResolveUserPath).ToList(),
            CacheDirectory = CachePath is null ? null : ResolveUserPath(CachePath), Shard = Shard,
        };
        var results = RunCampaign(config, "Invoke-MimicDataset", "steps (candidates of every target run, then conversion of each of this run's)", "MimicDatasetFailed",
            (progress, stop) => MimicDatasetBuilder.Run(config, options, progress, stop));
        if (results is null) return;
        foreach (var r in results)
        {
            foreach (string w in r.Warnings) WriteWarning(w);
            foreach (var step in r.Steps)
                WriteVerbose($"run {r.ObsId}: {step.Criterion}: removed {step.Removed}, {step.Remaining} left");
            if (r.Error is not null)
                WriteFileError(r.Error, "MimicNotMade", ErrorCategory.InvalidData, (r.Error as FitsException)?.FilePath ?? (object)r.ObsId);
            WriteObject(r);
        }
        // One line for the campaign, not one per target: which criterion left how many targets without candidates.
        WriteCampaignSummary("Invoke-MimicDataset", "target runs", results, results.Count(r => !r.Succeeded),
            EmptiedTargets.Describe(MimicDatasetResult.Emptied(results)));
    }
}
