using System.Globalization;
using System.Management.Automation;
using GammapyTools.Config;
using GammapyTools.Fits;
using GammapyTools.Maps;
using GammapyTools.Output;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">The null test of a mimic campaign: a sky map of the original run list and of every mimic dataset, judged against limits.</para>
/// Help: module/help/Test-MimicDataset.psd1.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MimicDataset", SupportsShouldProcess = true)]
[OutputType(typeof(MimicDatasetCheckResult))]
public sealed class TestMimicDatasetCommand : SkyMapCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public object Config { get; set; } = "";

    /// <summary>Unknown config keys are errors.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    /// <summary>A mimic dataset fails when |σ at the target| is not below this.</summary>
    [Parameter]
    public double MaxSignificance { get; set; } = 3.0;

    /// <summary>A dataset fails when |mean of the off-exclusion significances| is not below this.</summary>
    [Parameter]
    public double MaxOffMean { get; set; } = 0.1;

    /// <summary>A dataset fails when |width of the off-exclusion significances − 1| is not below this.</summary>
    [Parameter]
    public double MaxOffWidthDeviation { get; set; } = 0.1;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var config = LoadConfigArgument(Config, Strict);
        var fromConfig = ParametersOf(config);
        var options = new NullTestOptions
        {
            Overrides = BuildOverrides(fromConfig),
            Limits = new NullTestLimits { MaxTargetSignificance = MaxSignificance, MaxOffMean = MaxOffMean, MaxOffWidthDeviation = MaxOffWidthDeviation },
            Force = Force,
            WritePlot = (map, path, title, overwrite) => SkyMapPlot.Write(path, map, title, overwrite: overwrite),
        };
        string resultsDir;
        try { resultsDir = config.RequirePath("io", "results_dir"); }
        catch (ConfigException e)
        {
            ThrowFileError(e, "ConfigIncomplete", ErrorCategory.InvalidArgument, config.SourcePath);
            return;
        }
        // The maps are made either way (they only read); -WhatIf only keeps the CSV and plots from being written.
        options = options with { Write = ShouldProcess(resultsDir, $"Write {MimicDatasetCheck.CsvName} and one plot per dataset") };

        MimicDatasetCheckResult? result = null;
        try
        {
            result = RunInBackground<NullTestProgress, MimicDatasetCheckResult>(
                (progress, token) => MimicDatasetCheck.Run(config, options, progress, token),
                p => ReportProgress("Test-MimicDataset", p.Dataset.Length == 0 ? "done" : $"{p.Dataset} ({p.DatasetsDone + 1} of {p.Datasets})",
                    p.DatasetsDone, p.Datasets, currentOperation: p.Runs > 0 ? $"{p.RunsDone} of {p.Runs} runs" : null));
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (OutputPathException e)
        {
            CompleteAllProgress();
            ThrowFileError(e, "ResultExists", ErrorCategory.ResourceExists, e.Path);
        }
        catch (Exception e) when (e is ConfigException or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            CompleteAllProgress();
            ThrowFileError(e, "NullTestNotRun", e is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData,
                (e as ConfigException)?.FilePath ?? config.SourcePath);
        }
        CompleteAllProgress();

        foreach (string w in result!.Warnings) WriteWarning(w);
        foreach (var r in result.RunErrors) WriteError(RunError(r.Run, r.Error, r.Dataset));
        foreach (var e in result.Errors) WriteError(DatasetError(e));
        WriteVerbose(string.Create(CultureInfo.InvariantCulture,
            $"σ at the target over {result.MimicCount} mimic dataset(s): mean {result.MeanMimicSignificance:0.00}, spread (systematic) {result.Systematic:0.00}; {(result.Passed ? "passed" : "failed")}"));
        WriteObject(result);
    }

    /// <summary>A dataset that could not be mapped (or a file not written), named first: "mimic_2 (folder): reason".</summary>
    private static ErrorRecord DatasetError(NullTestError e)
    {
        bool write = e.Dataset == MimicDatasetCheck.CsvName || e.Folder?.EndsWith(".png", StringComparison.Ordinal) == true;
        var record = new ErrorRecord(e.Error, write ? "NullTestFileNotWritten" : "DatasetNotMapped",
            write ? ErrorCategory.WriteError : ErrorCategory.InvalidData, e.Folder ?? e.Dataset);
        string message = e.Error.Message;
        record.ErrorDetails = new ErrorDetails(e.Folder is null || message.Contains(e.Folder, StringComparison.Ordinal)
            ? $"{e.Dataset}: {message}" : $"{e.Dataset} ({e.Folder}): {message}");
        return record;
    }
}
