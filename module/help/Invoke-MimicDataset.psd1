@{
    Synopsis    = 'Builds n_mimic complete, independently analysable mimic data stores for the runs of a config''s run list.'
    Description = @(
        'For each run of run_selection.runlist, Invoke-MimicDataset takes the run with its background model (from io.out_dir when Invoke-MakeBackground has written it there, else io.in_dir), chooses n_mimic background runs of io.search_datastore with the selection of Find-MimicRun (observing conditions, then KL divergence of the background models, livetime within 10 %, bright_sources dropped, at most 10, KL < 1), converts each into the target''s field of view with the target''s background model (Convert-Fov -CopyBackground), scrambling the background run''s own object (RA_OBJ/DEC_OBJ, within scramble_theta, default 0.3 degrees) out of its events, and writes out_dir/mimic_i/<target file name>. Each mimic_i then gets its own obs-index, hdu-index and the config used (config.yaml).'
        'Background runs are assigned in a random order drawn from -Seed and the target''s OBS_ID (so the result does not depend on processing order or -ThrottleLimit), without repeats while there are enough candidates; with -Ranked the best candidate goes to dataset 1, the second to dataset 2, and so on. A target without candidates is returned with Questionable = no_mimic, one whose candidates all have KL >= 1 with large_kl, and both are written into the saved config as background_selection.questionable.'
        'Outputs are written atomically and kept when present: running the command again after an interruption completes the missing outputs and gives the same data stores as an uninterrupted run with the same seed. -Force rebuilds everything. A target that fails is reported as a non-terminating error naming it, and the others are still processed.'
    )
    Parameters  = @{
        Config        = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Seed          = 'Seed of the assignment of background runs to datasets and of the scrambling (default 0). The same seed gives the same files.'
        Ranked        = 'Best candidate for dataset 1, second best for dataset 2, and so on, instead of a seeded random choice.'
        Force         = 'Rebuilds outputs that exist.'
        NoScramble    = 'Does not scramble the background runs'' own objects out of their events.'
        ThrottleLimit = 'How many target runs are processed at once (at least 1). Default: config.njobs (-1 means every core), else the number of cores.'
        CachePath     = 'Folder of the background-model index (see Update-BackgroundIndex). Default: config.cache_dir, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use and refreshed for runs whose files changed.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Mimic.MimicDatasetResult'; Description = 'One object per target run: its OBS_ID, the questionable reason if any, and the outputs (dataset, background run, KL divergence, file).' })
    Examples    = @(
        @{ Title = 'Five mimic datasets from an existing gammapy-tools config'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml; $cfg.background_selection.n_mimic = 5; Invoke-MimicDataset -Config $cfg -Seed 42 | Format-Table'; Remarks = 'Writes out_dir/mimic_1 ... mimic_5, each a data store gammapy opens.' }
        @{ Title = 'On an analysis cluster'; Code = 'dotnet pwsh -c "Import-Module ./GammapyTools.psd1; Invoke-MimicDataset -Config analysis.yaml -Seed 7 -ThrottleLimit 8"'; Remarks = 'A rerun after the job is killed completes the missing outputs.' }
    )
    Links       = @('Find-MimicRun', 'Convert-Fov', 'Invoke-MakeBackground')
}
