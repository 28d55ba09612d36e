@{
    Synopsis    = 'Copies the runs of a config''s run list out of the search data store into io.in_dir and indexes them (gammapy-tools prepare_dataset).'
    Description = @(
        'Invoke-PrepareDataset reads the run list (run_selection.runlist: a list of OBS_IDs, or the path of a run-list file with one OBS_ID a line), finds each run in io.search_datastore, copies its files into io.in_dir and writes obs-index and hdu-index there. Runs the search store does not have are reported as non-terminating errors (category ObjectNotFound) and recorded in the config as run_selection.missing_runs; the others are still copied.'
        'Copies are atomic and a file already in io.in_dir with the same size is kept, so running the command again after an interruption only copies what is missing (-Force copies everything again). The search store is only read. The command returns the config (with missing_runs set) so that it can be passed on: $cfg = Invoke-PrepareDataset -Config $cfg.'
    )
    Parameters  = @{
        Strict = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Config = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Force  = 'Copies every run again, even when a copy is in place.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A copy of the configuration, with run_selection.missing_runs set (the object passed in is not changed).' })
    Examples    = @(
        @{ Title = 'Prepare the runs of an analysis'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml; $cfg = Invoke-PrepareDataset -Config $cfg; $cfg.run_selection.missing_runs'; Remarks = 'Copies the runs and shows which runs of the list the search store lacks.' }
    )
    Links       = @('Invoke-MakeBackground', 'Invoke-MimicDataset', 'Import-GammapyToolsConfig')
}
