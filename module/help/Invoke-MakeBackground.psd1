@{
    Synopsis    = 'Builds a background model for every run of io.in_dir and writes the runs with their BACKGROUND HDU to io.out_dir (gammapy-tools run_make_background).'
    Description = @(
        'For each run of the io.in_dir data store, Invoke-MakeBackground builds a background model (bkg_2d, or bkg_3d with io.3d_bkg) with the binning of the config''s binning section (e_min, e_max, e_bins logarithmic; off_min, off_max, off_bins linear), optionally smoothed (background_selection.smooth, smooth_sigma in bins), with known sources and bright stars excluded (catalogs from -Catalog, or $GAMMAPY_DATA/catalogs and exclusion.star_cat) and exclusion.exclude_regions ([ra, dec, radius]).'
        'With io.from_run the model comes from the run''s own events. Otherwise it comes from runs of io.search_datastore: those listed for the run in background_selection.bkg_runlist, or else the runs passing the observing-condition criteria (nsb_diff, el_diff, az_diff, n_tel/n_tels, time_max or same_szn, el_min, el_max), ranked by KL divergence to the run''s own model (KL_DIV) and taken until time_request hours. A shortfall is reported as a warning. With store_KL the KL tables are written to io.out_dir as <obs>_kl.fits and reused.'
        'Outputs go to io.out_dir with the input''s file name, written atomically; inputs are never modified. io.out_dir is then indexed (obs-index, hdu-index) so gammapy opens it. The runs used for each model are recorded in the config as background_selection.bkg_runlist, and the config is returned. A run that fails is reported as a non-terminating error naming it, and the other runs are still processed. Outputs already present are kept unless -Force is given, so a rerun after an interruption completes what is missing.'
    )
    Parameters  = @{
        Config        = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Force         = 'Rebuilds outputs that exist.'
        Catalog       = 'Catalog files whose sources and stars are excluded (gammacat.fits.gz, 3HWC.ecsv, Hipparcos_MAG8_1997.dat). Default: $GAMMAPY_DATA/catalogs and exclusion.star_cat.'
        ThrottleLimit = 'How many runs are processed at once (at least 1). Default: config.njobs (-1 means every core), else the number of cores.'
        CachePath     = 'Folder of the background-model index (see Update-BackgroundIndex). Default: config.cache_dir, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use and refreshed for runs whose files changed.'
        PassThru      = 'Returns one result object per run (OBS_ID, output run, background runs used, hours, warnings, error) instead of the config.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(
        @{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'The configuration with background_selection.bkg_runlist set.' }
        @{ Type = 'GammapyTools.Background.MakeBackgroundResult'; Description = 'With -PassThru: one result per run.' }
    )
    Examples    = @(
        @{ Title = 'The whole gammapy-tools workflow'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml; $cfg = Invoke-PrepareDataset -Config $cfg; $cfg = Invoke-MakeBackground -Config $cfg; Invoke-MimicDataset -Config $cfg'; Remarks = 'Copies the runs, builds their backgrounds from matched runs, then builds mimic datasets.' }
        @{ Title = 'Backgrounds from the runs themselves, with a report per run'; Code = '$cfg.io.from_run = $true; Invoke-MakeBackground -Config $cfg -PassThru | Format-Table ObsId, Hours, Succeeded'; Remarks = 'Shows which runs got a model.' }
    )
    Links       = @('Invoke-PrepareDataset', 'New-BackgroundModel', 'Get-KlDivergence')
}
