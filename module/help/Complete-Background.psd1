@{
    Synopsis    = 'Indexes io.out_dir once all shards of a sharded Invoke-MakeBackground campaign have run; reports what is missing otherwise.'
    Description = @(
        'The final step of a background campaign run in parts (Invoke-MakeBackground -Shard i/N, or Submit-BackgroundCampaign on a Slurm cluster). Complete-Background selects the background runs of every run of io.in_dir (as each shard did), checks that every run''s output exists in io.out_dir, and then writes out_dir''s obs-index and hdu-index and records background_selection.bkg_runlist in the config, exactly as an unsharded run does: N shards and Complete-Background give a byte-identical data store to one Invoke-MakeBackground.'
        'When outputs are missing nothing is written and one error lists them, grouped by the shard that makes them when -ShardCount is given; the returned object says the same (Completed, Missing, UnfinishedShards). Runs that cannot get a model (no background runs pass the selection, unreadable) are reported as non-terminating errors.'
        'It works only with out_dir to itself: it takes out_dir''s campaign lock (out_dir/.gammapy-tools.lock) so that no shard writes while it indexes, and a shard started meanwhile is refused. While processes of this same campaign (Invoke-MakeBackground shards with the same config) still hold out_dir, it waits up to -Timeout seconds for them to end, then stops with an error (category ResourceBusy, id OutDirInUse) naming the processes and hosts that hold it; another campaign holding out_dir is the same error at once. A Slurm completion job (afterok) starts when every shard has ended, so it does not wait.'
    )
    Parameters  = @{
        Config        = 'The configuration of the campaign: an object from Import-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Strict        = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Catalog       = 'The catalog files the shards were run with (-Catalog of Invoke-MakeBackground).'
        ShardCount    = 'N of the shards'' -Shard i/N, so that missing outputs are reported by shard.'
        Timeout       = 'Seconds to wait for processes of this same campaign (its shards) that still hold out_dir to end (default 30; 0: do not wait). Raise it to start the final step while the last shards still run; it honours Ctrl+C while waiting.'
        ThrottleLimit = 'How many runs are checked at once (default: the number of cores).'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Cluster.CampaignCompletion'; Description = 'Completed (true when the index was written), TargetCount, Missing (OBS_ID, path and shard of each missing output), UnfinishedShards, Failed.' })
    Examples    = @(
        @{
            Title   = 'Background models in two shards, then the index'
            Code    = @'
$null = New-SimulatedDataStore -Path (Join-Path $PWD 'runs') -RunCount 6 -EventsPerRun 500 -Seed 3
$cfg = New-GammapyToolsConfig
$cfg.io.in_dir = Join-Path $PWD 'runs'
$cfg.io.out_dir = Join-Path $PWD 'with-bkg'
$cfg.io.from_run = $true
Invoke-MakeBackground -Config $cfg -Shard 1/2 -Catalog @() | Out-Null
"unfinished: $((Complete-Background -Config $cfg -ShardCount 2 -Catalog @() -ErrorAction SilentlyContinue).UnfinishedShards)"
Invoke-MakeBackground -Config $cfg -Shard 2/2 -Catalog @() | Out-Null
Complete-Background -Config $cfg -ShardCount 2 -Catalog @()
'@
            Remarks = 'After shard 1/2 the first Complete-Background names shard 2/2 as unfinished and writes nothing; after shard 2/2 it indexes with-bkg (Completed = True).'
        }
    )
    Links       = @('Invoke-MakeBackground', 'Submit-BackgroundCampaign', 'Complete-MimicDataset')
}
