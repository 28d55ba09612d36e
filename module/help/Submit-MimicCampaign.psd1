@{
    Synopsis    = 'Runs an Invoke-MimicDataset campaign on a Slurm cluster: a job array with one task per shard, then a completion job that writes the indexes.'
    Description = @(
        'Submit-MimicCampaign writes two sbatch scripts into results_dir/slurm (out_dir/slurm when io.results_dir is not set): mimic-shards.sbatch, a job array whose task i runs Invoke-MimicDataset -Shard i/N (N = -Tasks), and mimic-complete.sbatch, which runs Complete-MimicDataset -ShardCount N. The scripts start the same PowerShell and the same module as the session that wrote them (absolute paths of pwsh, or of dotnet and pwsh.dll, and of GammapyTools.psd1), and read a snapshot of the config (mimic-config.yaml beside them), so editing the YAML later does not change queued jobs. Each task uses $SLURM_CPUS_PER_TASK threads (1 when not set; ask for more with -ExtraSbatchArgument ''--cpus-per-task=8'').'
        'Both jobs are submitted with sbatch --parsable; the completion job waits for the whole array (--dependency=afterok) and is cancelled when a task fails. The job objects (Role, JobId, Script, Logs, Shards, DependsOn, State) are returned. A task that succeeds leaves mimic-shard-i-of-N.done beside the scripts; a rerun submits only the shards without one (and the completion job), so after a failure fix the cause and run the same command again. -Force resubmits every shard. A rerun while jobs of the campaign are still queued is refused.'
        'With -Wait the command follows the jobs (squeue, every -PollSeconds) with a progress bar until they leave the queue, then reports each failed task or completion job as an error with the end of its log, and returns the jobs with their final State. Ctrl+C stops waiting, not the jobs. With -WhatIf the scripts are written and shown but nothing is submitted.'
        'Every output is the same as in an unsharded Invoke-MimicDataset with the same seed, whatever -Tasks is.'
    )
    Parameters  = @{
        Config              = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Strict              = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Tasks               = 'N: the number of shards, that is of array tasks.'
        Seed                = 'The seed of the campaign (Invoke-MimicDataset -Seed; default 0).'
        Ranked              = 'Ranked assignment (Invoke-MimicDataset -Ranked).'
        NoScramble          = 'No scrambling (Invoke-MimicDataset -NoScramble).'
        Partition           = 'Slurm partition (sbatch --partition).'
        TimeLimit           = 'Time limit of each job (sbatch --time, e.g. 2:00:00).'
        Account             = 'Slurm account to charge (sbatch --account).'
        ExtraSbatchArgument = 'Further sbatch options for both jobs, one per item, e.g. ''--mem=8G'', ''--cpus-per-task=4''.'
        Wait                = 'Follows the jobs until they end, then reports failed tasks with the end of their logs.'
        Force               = 'Resubmits every shard, also those that finished.'
        PollSeconds         = 'With -Wait: seconds between two squeue queries (default 10).'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Cluster.SlurmJob'; Description = 'The array job and the completion job: Role (shards or complete), JobId, Script, Logs, Shards, DependsOn, State, FailedShards.' })
    Examples    = @(
        @{
            Title   = 'See the scripts of an 8-task campaign without submitting'
            Code    = @'
$cfg = New-GammapyToolsConfig
$cfg.io.search_datastore = Join-Path $PWD 'search'
$cfg.io.out_dir = Join-Path $PWD 'mimic'
$cfg.run_selection.runlist = @(64080, 64081, 64082)
Submit-MimicCampaign -Config $cfg -Tasks 8 -Seed 7 -Partition short -TimeLimit 1:00:00 -WhatIf
'@
            Remarks = 'Writes mimic/slurm/mimic-shards.sbatch and mimic-complete.sbatch, prints them, and returns the two jobs without job ids.'
        }
        @{
            Title   = 'A campaign from a YAML file, 16 tasks of 4 cores each, followed to the end'
            Code    = @'
$cfg = New-GammapyToolsConfig
$cfg.io.search_datastore = Join-Path $PWD 'search'
$cfg.io.out_dir = Join-Path $PWD 'mimic'
$cfg.io.results_dir = Join-Path $PWD 'results'
$cfg.run_selection.runlist = @(64080, 64081)
$cfg | Export-GammapyToolsConfig ./analysis.yaml -Force
Submit-MimicCampaign -Config ./analysis.yaml -Tasks 16 -Seed 7 -ExtraSbatchArgument '--cpus-per-task=4', '--mem=8G' -Wait -WhatIf | Format-Table Role, Script, State
'@
            Remarks = 'The scripts go to results/slurm. On a cluster login node, without -WhatIf, the jobs are submitted and the command returns when they have left the queue, reporting failed shards with their log tails; the same command again resubmits only the unfinished shards.'
        }
    )
    Links       = @('Invoke-MimicDataset', 'Complete-MimicDataset', 'Submit-BackgroundCampaign')
}
