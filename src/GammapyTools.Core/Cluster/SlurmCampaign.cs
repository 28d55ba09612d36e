using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GammapyTools.Cluster;

/// <summary>Which config-driven campaign runs on the cluster.</summary>
public enum CampaignKind
{
    /// <summary>Invoke-MimicDataset -Shard, then Complete-MimicDataset.</summary>
    Mimic,
    /// <summary>Invoke-MakeBackground -Shard, then Complete-Background.</summary>
    Background,
}

/// <summary>What a Slurm submission needs: the campaign, where to write, how to start this module on a node.</summary>
public sealed record SlurmCampaignSettings
{
    public required CampaignKind Kind { get; init; }
    /// <summary>The config file the jobs read (absolute).</summary>
    public required string ConfigPath { get; init; }
    /// <summary>Number of shards = array tasks.</summary>
    public required int Tasks { get; init; }
    /// <summary>Where scripts, logs and the done markers go (results_dir/slurm or out_dir/slurm).</summary>
    public required string Directory { get; init; }
    /// <summary>The program (and its first arguments) that starts PowerShell: the absolute path of pwsh, or of dotnet and pwsh.dll.</summary>
    public required IReadOnlyList<string> PwshCommand { get; init; }
    /// <summary>The absolute path of the module manifest (or DLL) the jobs import.</summary>
    public required string ModulePath { get; init; }
    /// <summary>Extra arguments of the shard and completion cmdlets, already in PowerShell syntax (e.g. "-Seed 7").</summary>
    public IReadOnlyList<string> ShardArguments { get; init; } = [];
    public IReadOnlyList<string> CompleteArguments { get; init; } = [];
    public string? Partition { get; init; }
    public string? TimeLimit { get; init; }
    public string? Account { get; init; }
    /// <summary>Further sbatch options for both jobs (e.g. "--mem=4G"), one per item.</summary>
    public IReadOnlyList<string> ExtraSbatchArguments { get; init; } = [];

    public string Prefix => Kind == CampaignKind.Mimic ? "mimic" : "background";
    public string ShardCmdlet => Kind == CampaignKind.Mimic ? "Invoke-MimicDataset" : "Invoke-MakeBackground";
    public string CompleteCmdlet => Kind == CampaignKind.Mimic ? "Complete-MimicDataset" : "Complete-Background";
}

/// <summary>One submitted (or, with -WhatIf, only written) Slurm job of a campaign.</summary>
public sealed record SlurmJob
{
    /// <summary>"shards" (the job array) or "complete" (the completion job).</summary>
    public required string Role { get; init; }
    /// <summary>Slurm's job id; null when not submitted.</summary>
    public string? JobId { get; init; }
    public required string Script { get; init; }
    /// <summary>Log files: one per array task, or the completion job's.</summary>
    public required IReadOnlyList<string> Logs { get; init; }
    /// <summary>The shards this job runs (the array tasks); empty for the completion job.</summary>
    public required IReadOnlyList<Shard> Shards { get; init; }
    /// <summary>The job id this one waits for (afterok).</summary>
    public string? DependsOn { get; init; }
    /// <summary>Pending/Submitted, or after waiting Completed/Failed (with the failed shards).</summary>
    public string State { get; init; } = "Written";
    public IReadOnlyList<Shard> FailedShards { get; init; } = [];
}

/// <summary>A failed array task or completion job, with the end of its log.</summary>
public sealed record SlurmFailure(string Role, Shard? Shard, string Log, string LogTail);

/// <summary>Thrown when sbatch/squeue cannot be run or refuse (message says which command and why).</summary>
public sealed class SlurmException(string message) : Exception(message);

/// <summary>
/// A campaign as Slurm jobs: a job array with one task per shard (Invoke-MimicDataset or
/// Invoke-MakeBackground -Shard $SLURM_ARRAY_TASK_ID/N) and a completion job (Complete-MimicDataset
/// or Complete-Background) that starts when every task succeeded (afterok). Each task that
/// succeeds leaves a marker file <c>&lt;prefix&gt;-shard-i-of-N.done</c> beside the scripts, so that a
/// rerun submits only the shards without one; the completion job leaves <c>&lt;prefix&gt;-complete.done</c>.
/// </summary>
public static class SlurmCampaign
{
    public static string ShardsScript(SlurmCampaignSettings s) => Path.Combine(s.Directory, $"{s.Prefix}-shards.sbatch");
    public static string CompleteScript(SlurmCampaignSettings s) => Path.Combine(s.Directory, $"{s.Prefix}-complete.sbatch");
    public static string ShardLog(SlurmCampaignSettings s, int index) => Path.Combine(s.Directory, $"{s.Prefix}-shard-{index}-of-{s.Tasks}.log");
    public static string CompleteLog(SlurmCampaignSettings s) => Path.Combine(s.Directory, $"{s.Prefix}-complete.log");
    public static string ShardMarker(SlurmCampaignSettings s, int index) => Path.Combine(s.Directory, $"{s.Prefix}-shard-{index}-of-{s.Tasks}.done");
    public static string CompleteMarker(SlurmCampaignSettings s) => Path.Combine(s.Directory, $"{s.Prefix}-complete.done");
    private static string JobsFile(SlurmCampaignSettings s) => Path.Combine(s.Directory, $"{s.Prefix}-jobs.txt");

    /// <summary>The shards without a done marker (all of them with <paramref name="all"/>).</summary>
    public static IReadOnlyList<Shard> UnfinishedShards(SlurmCampaignSettings s, bool all = false) =>
        Enumerable.Range(1, s.Tasks).Where(i => all || !File.Exists(ShardMarker(s, i))).Select(i => new Shard(i, s.Tasks)).ToList();

    /// <summary>
    /// Writes the two sbatch scripts for <paramref name="shards"/> (atomically) and returns the jobs
    /// as written, not submitted. With no shards to run only the completion job is returned; with
    /// the completion done too, nothing.
    /// </summary>
    public static IReadOnlyList<SlurmJob> Write(SlurmCampaignSettings s, IReadOnlyList<Shard> shards)
    {
        System.IO.Directory.CreateDirectory(s.Directory);
        var jobs = new List<SlurmJob>();
        if (shards.Count > 0)
        {
            WriteText(ShardsScript(s), ShardsScriptText(s, shards));
            jobs.Add(new SlurmJob
            {
                Role = "shards", Script = ShardsScript(s), Shards = shards,
                Logs = shards.Select(x => ShardLog(s, x.Index)).ToList(),
            });
        }
        if (shards.Count > 0 || !File.Exists(CompleteMarker(s)))
        {
            WriteText(CompleteScript(s), CompleteScriptText(s));
            jobs.Add(new SlurmJob { Role = "complete", Script = CompleteScript(s), Shards = [], Logs = [CompleteLog(s)] });
        }
        return jobs;
    }

    /// <summary>
    /// Submits written jobs with <c>sbatch --parsable</c>: the array first, then the completion job
    /// with <c>--dependency=afterok:&lt;array&gt;</c> (and killed if a task fails). Refuses while an
    /// earlier submission of the same campaign is still queued or running.
    /// </summary>
    public static IReadOnlyList<SlurmJob> Submit(SlurmCampaignSettings s, IReadOnlyList<SlurmJob> written)
    {
        if (File.Exists(JobsFile(s)))
        {
            var previous = File.ReadAllLines(JobsFile(s)).Where(l => l.Length > 0).ToList();
            var active = Queue(previous);
            if (active.Count > 0)
                throw new SlurmException($"jobs {string.Join(", ", active.Keys)} of this campaign are still {string.Join("/", active.Values.Distinct())}; wait for them (or scancel them) before submitting again");
        }
        foreach (var job in written.Where(j => j.Role == "shards"))
            foreach (var shard in job.Shards) File.Delete(ShardMarker(s, shard.Index));
        File.Delete(CompleteMarker(s));

        var submitted = new List<SlurmJob>();
        string? arrayId = null;
        foreach (var job in written)
        {
            var args = new List<string> { "--parsable" };
            if (job.Role == "complete" && arrayId is not null) args.AddRange([$"--dependency=afterok:{arrayId}", "--kill-on-invalid-dep=yes"]);
            args.Add(job.Script);
            var (code, output, error) = RunTool("sbatch", args);
            if (code != 0) throw new SlurmException($"sbatch {string.Join(' ', args)} failed (exit {code}): {error.Trim()}{output.Trim()}");
            string id = output.Trim().Split(';')[0];
            if (job.Role == "shards") arrayId = id;
            submitted.Add(job with { JobId = id, DependsOn = job.Role == "complete" ? arrayId : null, State = "Submitted" });
            WriteText(JobsFile(s), string.Join('\n', submitted.Select(j => j.JobId)) + "\n");
        }
        return submitted;
    }

    /// <summary>
    /// Polls squeue until the jobs have left the queue (<paramref name="progress"/>: shards done of
    /// those submitted, and the queue states), then reports each job's outcome from the done
    /// markers — sacct is not needed, so this works without Slurm accounting. Cancelling stops
    /// waiting, not the jobs.
    /// </summary>
    public static (IReadOnlyList<SlurmJob> Jobs, IReadOnlyList<SlurmFailure> Failures) Wait(SlurmCampaignSettings s, IReadOnlyList<SlurmJob> jobs,
        TimeSpan pollInterval, IProgress<(int Done, int Total, string Status)>? progress = null, CancellationToken cancellationToken = default)
    {
        var ids = jobs.Where(j => j.JobId is not null).Select(j => j.JobId!).ToList();
        var shards = jobs.Where(j => j.Role == "shards").SelectMany(j => j.Shards).ToList();
        while (true)
        {
            var queued = Queue(ids);
            int done = shards.Count(x => File.Exists(ShardMarker(s, x.Index)));
            string status = queued.Count == 0 ? "left the queue" : string.Join(", ", queued.GroupBy(q => q.Value).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}"));
            progress?.Report((done, shards.Count, status));
            if (queued.Count == 0) break;
            cancellationToken.WaitHandle.WaitOne(pollInterval);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var failures = new List<SlurmFailure>();
        var result = new List<SlurmJob>();
        foreach (var job in jobs)
        {
            if (job.Role == "shards")
            {
                var failed = job.Shards.Where(x => !File.Exists(ShardMarker(s, x.Index))).ToList();
                failures.AddRange(failed.Select(x => new SlurmFailure("shards", x, ShardLog(s, x.Index), Tail(ShardLog(s, x.Index)))));
                result.Add(job with { State = failed.Count == 0 ? "Completed" : "Failed", FailedShards = failed });
            }
            else
            {
                bool ok = File.Exists(CompleteMarker(s));
                if (!ok) failures.Add(new SlurmFailure("complete", null, CompleteLog(s),
                    File.Exists(CompleteLog(s)) ? Tail(CompleteLog(s)) : "(no log: the job did not run, because a shard failed)"));
                result.Add(job with { State = ok ? "Completed" : "Failed" });
            }
        }
        return (result, failures);
    }

    /// <summary>The jobs (or array tasks) of <paramref name="ids"/> still in the queue: id → state. Jobs Slurm no longer knows are done.</summary>
    public static IReadOnlyDictionary<string, string> Queue(IReadOnlyList<string> ids)
    {
        var result = new Dictionary<string, string>();
        if (ids.Count == 0) return result;
        var (code, output, error) = RunTool("squeue", ["-h", "-j", string.Join(',', ids), "-o", "%i|%T"]);
        if (code != 0)
        {
            // squeue refuses a list in which no job is known any more: they have all left the queue.
            if (error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return result;
            throw new SlurmException($"squeue failed (exit {code}): {error.Trim()}");
        }
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split('|');
            if (parts.Length == 2 && parts[1] is not ("COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE"))
                result[parts[0]] = parts[1];
        }
        return result;
    }

    /// <summary>The last lines of a log file ("(no log)" when it does not exist).</summary>
    public static string Tail(string path, int lines = 20)
    {
        if (!File.Exists(path)) return "(no log)";
        var all = File.ReadAllLines(path);
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
    }

    // ------------------------------------------------------------------ scripts

    public static string ShardsScriptText(SlurmCampaignSettings s, IReadOnlyList<Shard> shards)
    {
        var b = Header(s, $"gammapytools-{s.Prefix}", Path.Combine(s.Directory, $"{s.Prefix}-shard-%a-of-{s.Tasks}.log"),
            $"{s.ShardCmdlet}: shard $SLURM_ARRAY_TASK_ID of {s.Tasks} of the campaign {s.ConfigPath}");
        b.Append("#SBATCH --array=").Append(ArraySpec(shards)).Append('\n');
        b.Append('\n').Append("shard=\"${SLURM_ARRAY_TASK_ID}/").Append(s.Tasks).Append("\"\n");
        b.Append("marker=").Append(Bash(Path.Combine(s.Directory, $"{s.Prefix}-shard-")))
            .Append("\"${SLURM_ARRAY_TASK_ID}\"").Append(Bash($"-of-{s.Tasks}.done")).Append('\n');
        var command = new List<string> { s.ShardCmdlet, "-Config", PowerShellQuote(s.ConfigPath), "-Shard", "\u0001shard\u0001", "-ThrottleLimit", "\u0001threads\u0001" };
        command.AddRange(s.ShardArguments);
        AppendRun(b, s, command);
        return b.ToString();
    }

    public static string CompleteScriptText(SlurmCampaignSettings s)
    {
        var b = Header(s, $"gammapytools-{s.Prefix}-complete", CompleteLog(s),
            $"{s.CompleteCmdlet}: indexes of the campaign {s.ConfigPath} once its {s.Tasks} shards have run");
        b.Append('\n').Append("marker=").Append(Bash(CompleteMarker(s))).Append('\n');
        var command = new List<string> { s.CompleteCmdlet, "-Config", PowerShellQuote(s.ConfigPath), "-ShardCount", s.Tasks.ToString(CultureInfo.InvariantCulture), "-ThrottleLimit", "\u0001threads\u0001" };
        command.AddRange(s.CompleteArguments);
        AppendRun(b, s, command);
        return b.ToString();
    }

    private static StringBuilder Header(SlurmCampaignSettings s, string name, string log, string what)
    {
        var b = new StringBuilder();
        b.Append("#!/bin/bash\n");
        b.Append("# Written by GammapyTools (Submit-").Append(s.Kind == CampaignKind.Mimic ? "MimicCampaign" : "BackgroundCampaign").Append("): ").Append(what).Append('\n');
        b.Append("# PowerShell and the module are the ones that wrote this script (absolute paths), so a node runs the same code.\n");
        b.Append("#SBATCH --job-name=").Append(name).Append('\n');
        b.Append("#SBATCH --output=").Append(log).Append('\n');
        if (s.Partition is { Length: > 0 }) b.Append("#SBATCH --partition=").Append(s.Partition).Append('\n');
        if (s.TimeLimit is { Length: > 0 }) b.Append("#SBATCH --time=").Append(s.TimeLimit).Append('\n');
        if (s.Account is { Length: > 0 }) b.Append("#SBATCH --account=").Append(s.Account).Append('\n');
        foreach (string extra in s.ExtraSbatchArguments) b.Append("#SBATCH ").Append(extra).Append('\n');
        return b;
    }

    private static void AppendRun(StringBuilder b, SlurmCampaignSettings s, List<string> command)
    {
        // Non-terminating errors (one target failed) must fail the task too, so that the completion job does not run.
        string ps = $"trap {{ $_ | Out-Host; exit 1 }}; $ErrorActionPreference = 'Continue'; $PSStyle.OutputRendering = 'PlainText'; Import-Module {PowerShellQuote(s.ModulePath)} -ErrorAction Stop; "
            + string.Join(' ', command) + " -ErrorVariable failed | Out-Host; if ($failed) { exit 1 }";
        string inBash = "\"" + BashDoubleQuoted(ps).Replace("\u0001shard\u0001", "'${shard}'").Replace("\u0001threads\u0001", "${SLURM_CPUS_PER_TASK:-1}") + "\"";
        b.Append("rm -f \"$marker\"\n");
        b.Append("echo \"$(date -u +%FT%TZ) $(hostname -s) job ${SLURM_JOB_ID:-?} starting\"\n");
        b.Append(string.Join(' ', s.PwshCommand.Select(Bash))).Append(" -NoProfile -NonInteractive -Command ").Append(inBash).Append('\n');
        b.Append("status=$?\n");
        b.Append("echo \"$(date -u +%FT%TZ) exit status $status\"\n");
        b.Append("if [ \"$status\" -eq 0 ]; then touch \"$marker\"; fi\n");
        b.Append("exit \"$status\"\n");
    }

    private static string ArraySpec(IReadOnlyList<Shard> shards)
    {
        var idx = shards.Select(x => x.Index).Order().ToList();
        bool contiguous = idx.Count > 1 && idx[^1] - idx[0] == idx.Count - 1;
        return contiguous ? $"{idx[0]}-{idx[^1]}" : string.Join(',', idx);
    }

    /// <summary>A PowerShell single-quoted string literal.</summary>
    public static string PowerShellQuote(string text) => "'" + text.Replace("'", "''") + "'";

    /// <summary>A bash single-quoted word.</summary>
    private static string Bash(string text) => "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>Escapes text for the inside of a bash double-quoted string.</summary>
    private static string BashDoubleQuoted(string text) =>
        text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`");

    private static void WriteText(string path, string text)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
        }
        finally { File.Delete(temp); }
    }

    // ------------------------------------------------------------------ tools

    private static (int Code, string Output, string Error) RunTool(string tool, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info) ?? throw new SlurmException($"{tool} did not start"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SlurmException($"{tool} cannot be run ({e.Message}); is this a Slurm login node (sbatch, squeue on PATH)?");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new SlurmException($"{tool} did not answer within 60 s");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
