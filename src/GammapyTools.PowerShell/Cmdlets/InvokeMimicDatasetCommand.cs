using System.Management.Automation;
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

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        int n = config.GetBackgroundSelection().NMimic;
        if (!ShouldProcess(outDir, $"Write {n} mimic data stores (mimic_1 … mimic_{n})")) return;
        var options = new MimicDatasetOptions
        {
            Seed = Seed, Ranked = Ranked, Force = Force, NoScramble = NoScramble, MaxParallelism = ResolveThrottleLimit(config, ThrottleLimit),
            CatalogPaths = Catalog?.Select(ResolveUserPath).ToList(),
            CacheDirectory = CachePath is null ? null : ResolveUserPath(CachePath),
        };
        var results = RunCampaign(config, "Invoke-MimicDataset", "steps (candidates, then conversion, of each target run)", "MimicDatasetFailed",
            progress => MimicDatasetBuilder.Run(config, options, progress));
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
        WriteCampaignSummary("Invoke-MimicDataset", "target runs", results, results.Count(r => !r.Succeeded));
    }
}
