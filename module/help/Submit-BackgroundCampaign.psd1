@{
    Synopsis    = 'Runs an Invoke-MakeBackground campaign on a Slurm cluster: a job array with one task per shard, then a completion job that indexes out_dir.'
    Description = @(
        'Submit-BackgroundCampaign writes two sbatch scripts into results_dir/slurm (out_dir/slurm when io.results_dir is not set): background-shards.sbatch, a job array whose task i runs Invoke-MakeBackground -Shard i/N (N = -Tasks), and background-complete.sbatch, which runs Complete-Background -ShardCount N. The scripts start the same PowerShell and module as the session that wrote them (absolute paths) and read a snapshot of the config (background-config.yaml beside them). Each task uses $SLURM_CPUS_PER_TASK threads (1 when not set).'
        'Both jobs are submitted with sbatch --parsable; the completion job waits for the whole array (--dependency=afterok) and is cancelled when a task fails. A task that succeeds leaves background-shard-i-of-N.done beside the scripts; a rerun submits only the shards without one. -Force resubmits every shard. With -Wait the command follows the jobs with a progress bar and reports failed tasks with the end of their logs; with -WhatIf the scripts are written and shown but nothing is submitted.'
        'Every output is the same as in an unsharded Invoke-MakeBackground, whatever -Tasks is.'
    )
    Parameters  = @{
        Config              = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Strict              = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Tasks               = 'N: the number of shards, that is of array tasks.'
        Catalog             = 'Catalog files for the exclusions (Invoke-MakeBackground -Catalog); an empty array for none.'
        Partition           = 'Slurm partition (sbatch --partition).'
        TimeLimit           = 'Time limit of each job (sbatch --time, e.g. 2:00:00).'
        Account             = 'Slurm account to charge (sbatch --account).'
        ExtraSbatchArgument = 'Further sbatch options for both jobs, one per item, e.g. ''--mem=8G''.'
        Wait                = 'Follows the jobs until they end, then reports failed tasks with the end of their logs.'
        Force               = 'Resubmits every shard, also those that finished.'
        PollSeconds         = 'With -Wait: seconds between two squeue queries (default 10).'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Cluster.SlurmJob'; Description = 'The array job and the completion job: Role, JobId, Script, Logs, Shards, DependsOn, State, FailedShards.' })
    Examples    = @(
        @{
            Title   = 'See the scripts of a 4-task background campaign without submitting'
            Code    = @'
$cfg = New-GammapyToolsConfig
$cfg.io.in_dir = Join-Path $PWD 'runs'
$cfg.io.out_dir = Join-Path $PWD 'with-bkg'
$cfg.io.from_run = $true
Submit-BackgroundCampaign -Config $cfg -Tasks 4 -Catalog @() -WhatIf
'@
            Remarks = 'Writes with-bkg/slurm/background-shards.sbatch and background-complete.sbatch, prints them, and returns the two jobs without job ids.'
        }
    )
    Links       = @('Invoke-MakeBackground', 'Complete-Background', 'Submit-MimicCampaign')
}
