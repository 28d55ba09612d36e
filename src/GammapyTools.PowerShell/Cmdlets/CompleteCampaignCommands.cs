using System.Management.Automation;
using GammapyTools.Background;
using GammapyTools.Cluster;
using GammapyTools.Config;
using GammapyTools.Mimic;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// Base of Complete-MimicDataset and Complete-Background: the final step of a sharded campaign.
/// Writes the indexes when every output exists; otherwise reports the missing outputs, grouped by
/// the shard (of -ShardCount) that makes them, as one error, and writes nothing.
/// </summary>
public abstract class CompleteCampaignCmdlet : ConfigCmdlet
{
    /// <summary>The N of the campaign's -Shard i/N, to say which shard each missing output belongs to.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int? ShardCount { get; set; }

    [Parameter] public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Seconds to wait for processes of this same campaign (its shards) that still hold out_dir: the
    /// final step indexes what they write, so it needs the folder to itself. A Slurm completion job
    /// (afterok) starts when they have ended; the default covers a shard that is just exiting.
    /// </summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = 30;

    protected TimeSpan LockWait => TimeSpan.FromSeconds(Timeout);

    protected void Report(CampaignCompletion completion, string what)
    {
        foreach (var (obsId, error) in completion.Failed)
            WriteFileError(error, "TargetFailed", ErrorCategory.InvalidData, obsId);
        foreach (var error in completion.FinalStepErrors)
            WriteFileError(error, "IndexNotWritten", ErrorCategory.WriteError, (error as Fits.FitsException)?.FilePath ?? (error as Config.ConfigException)?.FilePath);
        if (!completion.Completed)
        {
            var lines = completion.Missing.GroupBy(m => m.Shard?.ToString() ?? "")
                .OrderBy(g => g.First().Shard?.Index ?? 0)
                .Select(g => (g.Key.Length > 0 ? $"shard {g.Key}: " : "") +
                    $"{g.Count()} output(s) of run(s) {string.Join(", ", g.Select(m => m.ObsId).Distinct().Take(20))}{(g.Select(m => m.ObsId).Distinct().Count() > 20 ? ", …" : "")}");
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"{completion.Missing.Count} output(s) are missing, so the {what} are not written yet; run the missing shards (-Shard i/N) and then this again:{Environment.NewLine}  " +
                    string.Join(Environment.NewLine + "  ", lines)),
                "OutputsMissing", ErrorCategory.ObjectNotFound, completion.Missing.Select(m => m.Path).ToArray()));
        }
        else WriteVerbose($"{completion.TargetCount} run(s): every output exists; {what} written");
        WriteObject(completion);
    }
}

/// <summary>
/// <para type="synopsis">Writes the indexes and configs of every mimic_i once all shards of an Invoke-MimicDataset campaign have run; reports what is missing otherwise.</para>
/// Full help: module/help/Complete-MimicDataset.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Complete, "MimicDataset", SupportsShouldProcess = true)]
[OutputType(typeof(CampaignCompletion))]
public sealed class CompleteMimicDatasetCommand : CompleteCampaignCmdlet
{
    [Parameter] public long Seed { get; set; }
    [Parameter] public SwitchParameter Ranked { get; set; }

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        if (!ShouldProcess(outDir, "Write the indexes and configs of mimic_1 … mimic_n when every output exists")) return;
        // Without -Seed, the seed the shards recorded in their outputs (they must agree).
        var options = new MimicDatasetOptions
        {
            Seed = Seed, SeedFromOutputs = !MyInvocation.BoundParameters.ContainsKey(nameof(Seed)), Ranked = Ranked, MaxParallelism = ThrottleLimit,
        };
        var completion = RunCampaign(config, "Complete-MimicDataset", "target runs checked", "CompletionFailed",
            (progress, stop) => MimicDatasetBuilder.Complete(config, options, ShardCount, progress, stop, LockWait));
        if (completion is not null) Report(completion, "mimic_i indexes and configs");
    }
}

/// <summary>
/// <para type="synopsis">Indexes io.out_dir once all shards of an Invoke-MakeBackground campaign have run; reports what is missing otherwise.</para>
/// Full help: module/help/Complete-Background.psd1.
/// </summary>
[Cmdlet(VerbsLifecycle.Complete, "Background", SupportsShouldProcess = true)]
[OutputType(typeof(CampaignCompletion))]
public sealed class CompleteBackgroundCommand : CompleteCampaignCmdlet
{
    [Parameter] public string[]? Catalog { get; set; }

    protected override void ProcessRecord()
    {
        var config = ResolveConfig();
        string outDir = RequireConfigPath(config, "io", "out_dir");
        if (!ShouldProcess(outDir, "Index the runs with background models when every output exists")) return;
        var options = new MakeBackgroundOptions { MaxParallelism = ThrottleLimit, CatalogPaths = Catalog?.Select(ResolveUserPath).ToList() };
        var completion = RunCampaign(config, "Complete-Background", "runs checked", "CompletionFailed",
            (progress, stop) => BackgroundMaker.Complete(config, options, ShardCount, progress, stop, LockWait));
        if (completion is not null) Report(completion, "out_dir indexes");
    }
}
