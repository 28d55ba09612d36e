@{
    Synopsis    = 'Finds the background runs of a search data store that can mimic a target run, ranked by the KL divergence of their background models.'
    Description = @(
        'Find-MimicRun applies the selection of gammapy-tools'' mimic datasets to each target run: runs of -SearchDataStore within time_max days (or of the same season, with same_szn), with |NSB difference| < nsb_diff, |1/sin(elevation) difference| < el_diff, azimuth difference < az_diff measured on the circle, N_TELS equal to n_tel (or n_tels), |Galactic latitude| > 10 degrees, elevation limits el_min/el_max in degrees, and not the target itself. The remaining runs are ranked by the KL divergence of their background model to the target''s (lowest first); runs whose livetime differs from the target''s by more than 10 % and runs whose OBJECT is one of bright_sources are dropped, at most 10 are kept, and runs with KL >= 1 are dropped.'
        'Criteria come from -Config (background_selection); without it gammapy-tools'' defaults apply. A criterion whose value the target does not have (H.E.S.S. writes no NSBLEVEL) is skipped with a warning. With -Verbose each criterion reports how many runs it removed. A target without candidates is reported as a warning with the reason (no_mimic, large_kl) and returns nothing.'
    )
    Parameters  = @{
        Target          = 'The target runs (from Get-Run); they need a background model.'
        SearchDataStore = 'The data store searched for background runs.'
        Config          = 'A configuration whose background_selection gives the criteria.'
        TableDirectory  = 'A folder where KL tables (<obs>_kl.fits) are stored and reused (store_KL).'
        CachePath       = 'Folder of the background-model index (see Update-BackgroundIndex). Default: config.cache_dir, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use and refreshed for runs whose files changed.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'Target runs, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Mimic.MimicCandidate'; Description = 'The candidates, best first: ObsId, KlDivergence, Livetime and the Run.' })
    Examples    = @(
        @{ Title = 'Candidates for one run'; Code = '$t = Get-Run -DataStore ./analysis -ObsId 64080; Find-MimicRun -Target $t -SearchDataStore ./megastore -Config $cfg -Verbose | Select-Object ObsId, KlDivergence, Livetime'; Remarks = 'Shows the ranked candidates and, with -Verbose, what each criterion removed.' }
    )
    Links       = @('Invoke-MimicDataset', 'Get-KlDivergence', 'Convert-Fov')
}
