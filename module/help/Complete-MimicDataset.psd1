@{
    Synopsis    = 'Writes the indexes and configs of every mimic_i once all shards of a sharded Invoke-MimicDataset campaign have run; reports what is missing otherwise.'
    Description = @(
        'The final step of a campaign run in parts (Invoke-MimicDataset -Shard i/N, or Submit-MimicCampaign on a Slurm cluster). Complete-MimicDataset makes the campaign''s candidate selection for every target of the run list (as each shard did), checks that every output it asks for exists (out_dir/mimic_i/<target file name> for every target that is not questionable), and then writes each mimic_i''s obs-index, hdu-index and config.yaml, with the questionable targets recorded, exactly as an unsharded run writes them: N shards and Complete-MimicDataset give byte-identical data stores to one Invoke-MimicDataset.'
        'When outputs are missing nothing is written and one error lists them, grouped by the shard that makes them when -ShardCount is given; the returned object says the same (Completed, Missing, UnfinishedShards). Targets that fail before any output is due (not in the target data store, no background model) are reported as non-terminating errors.'
        'Without -Seed it takes the seed the shards recorded: each mimic output names its campaign seed in a HISTORY card, and each mimic_i/config.yaml has background_selection.mimic_seed. When these records disagree (a shard rerun with another -Seed and -Force) it stops with an error naming, for each seed, the shards (with -ShardCount; else the target runs) and configs that have it, and writes nothing. With -Seed, that seed is checked against mimic_i/config.yaml as before. Give -Ranked when the shards were run with it.'
        'It works only with out_dir to itself: it takes out_dir''s campaign lock (out_dir/.gammapy-tools.lock) so that no shard writes while it indexes, and a shard started meanwhile is refused. While processes of this same campaign (Invoke-MimicDataset shards with the same config, seed and -Ranked) still hold out_dir, it waits up to -Timeout seconds for them to end, then stops with an error (category ResourceBusy, id OutDirInUse) naming the processes and hosts that hold it; another campaign holding out_dir is the same error at once. A Slurm completion job (afterok) starts when every shard has ended, so it does not wait.'
    )
    Parameters  = @{
        Config        = 'The configuration of the campaign: an object from Import-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Strict        = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Seed          = 'The seed the shards were run with; without it, the seed they recorded in their outputs and configs (0 when nothing is recorded).'
        Ranked        = 'Give it when the shards were run with -Ranked.'
        ShardCount    = 'N of the shards'' -Shard i/N, so that missing outputs are reported by shard.'
        Timeout       = 'Seconds to wait for processes of this same campaign (its shards) that still hold out_dir to end (default 30; 0: do not wait). Raise it to start the final step while the last shards still run; it honours Ctrl+C while waiting.'
        ThrottleLimit = 'How many target runs are checked at once (default: the number of cores).'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Cluster.CampaignCompletion'; Description = 'Completed (true when the indexes were written), TargetCount, Missing (OBS_ID, path and shard of each missing output), UnfinishedShards, Failed.' })
    Examples    = @(
        @{
            Title   = 'A mimic campaign in three shards, then its indexes'
            Code    = @'
$store = New-SimulatedDataStore -Path (Join-Path $PWD 'search') -RunCount 60 -EventsPerRun 300 -Seed 2
$cfg = New-GammapyToolsConfig
$cfg.io.search_datastore = Join-Path $PWD 'search'
$cfg.io.in_dir = Join-Path $PWD 'search'
$cfg.io.out_dir = Join-Path $PWD 'mimic'
$cfg.run_selection.runlist = @($store | Where-Object NTels -eq 4 | Select-Object -First 3 -ExpandProperty ObsId)
$cfg.background_selection.n_mimic = 2
$cfg.background_selection.time_max = 400
foreach ($i in 1..3) { Invoke-MimicDataset -Config $cfg -Shard "$i/3" -Seed 1 | Out-Null }
Complete-MimicDataset -Config $cfg -ShardCount 3
'@
            Remarks = 'Each shard converts its third of the run list and writes no index; Complete-MimicDataset then indexes mimic_1 and mimic_2 (Completed = True), taking seed 1 from the shards'' outputs. Run before the last shard, it would name the missing outputs of shard 3/3 and write nothing.'
        }
    )
    Links       = @('Invoke-MimicDataset', 'Submit-MimicCampaign', 'Complete-Background')
}
