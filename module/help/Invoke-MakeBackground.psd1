@{
    Synopsis    = 'Builds a background model for every run of io.in_dir and writes the runs with their BACKGROUND HDU to io.out_dir (gammapy-tools run_make_background).'
    Description = @(
        'For each run of the io.in_dir data store, Invoke-MakeBackground builds a background model (bkg_2d, or bkg_3d with io.3d_bkg) with the binning of the config''s binning section (e_min, e_max, e_bins logarithmic; off_min, off_max, off_bins linear), smoothed as the template does (background_selection.smooth, default true; smooth_sigma in bins, default 1), with bins left empty after smoothing filled by a floor (New-BackgroundModel explains it) so that gammapy never predicts zero background where a run has events, with known sources and bright stars excluded (catalogs from -Catalog, or $GAMMAPY_DATA/catalogs and exclusion.star_cat) and exclusion.exclude_regions ([ra, dec, radius]).'
        'With io.from_run the model comes from the run''s own events. Otherwise it comes from runs of io.search_datastore: those listed for the run in background_selection.bkg_runlist, or else the runs passing the observing-condition criteria (nsb_diff, el_diff, az_diff, n_tel/n_tels, time_max or same_szn, el_min, el_max), ranked by KL divergence to the run''s reference model (KL_DIV: its model in io.in_dir, else in the search store) and taken until time_request hours. A shortfall is reported as a warning, and so is a model built from fewer than 10 events per populated bin. Models of another kind (bkg_2d, bkg_3d) or binning are compared on their common grid, so no run is dropped for its binning; only models that do not overlap at all are reported, in one warning per run naming the binning keys to change. With store_KL the KL tables are written to io.out_dir as <obs>_kl.fits and reused only when made from the same models, so store_KL never changes a result.'
        'The rate is counts / (observation time x solid angle x energy width) in s-1 MeV-1 sr-1, the observation time being the GTI sum (ONTIME where there is no GTI), dead time included, as GADF and gammapy define it: gammapy multiplies the model by the observation time, so a model per LIVETIME would over-predict by 1/DEADC.'
        'Outputs go to io.out_dir with the input''s file name, written atomically; inputs are never modified. io.out_dir is then indexed (obs-index, hdu-index) so gammapy opens it. The config passed in is never changed: an updated copy is returned (so write $cfg = Invoke-MakeBackground -Config $cfg), in which the matched runs used for each model are recorded as background_selection.bkg_runlist, as gammapy-tools does. A from_run pass records nothing (a run is never its own background run; an old bkg_runlist entry naming the run itself is ignored with a warning). A run that fails is reported as a non-terminating error naming it, and the other runs are still processed. Outputs already present are kept unless -Force is given, so a rerun after an interruption completes what is missing. Before any work the config is validated and io.out_dir is locked: a second campaign on the same out_dir stops at once with an error naming the process and host that hold it, and temporary files of killed writers are removed. An index that cannot be written (a full disk) is an error naming it; the per-run results are still reported, and a closing warning says how many runs failed.'
        'With -Shard i/N only the i-th of N parts of in_dir''s runs is built (the k-th run, counting from 0, belongs to part (k mod N) + 1) and no index is written: run all N parts (e.g. as a Slurm job array with Submit-BackgroundCampaign), then Complete-Background. Every file is the same as in an unsharded run whatever N is. Ctrl+C (or any pipeline stop) ends the command within about a second without leaving partial or temporary files.'
    )
    Parameters  = @{
        Strict = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Config        = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file.'
        Force         = 'Rebuilds outputs that exist.'
        Catalog       = 'Catalog files whose sources and stars are excluded (gammacat.fits.gz, 3HWC.ecsv, Hipparcos_MAG8_1997.dat). Default: $GAMMAPY_DATA/catalogs and exclusion.star_cat.'
        ThrottleLimit = 'How many runs are processed at once (at least 1). Default: config.njobs (-1 means every core), else the number of cores.'
        CachePath     = 'Folder of the background-model index (see Update-BackgroundIndex). Default: config.cache_dir, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use (rebuilt when corrupted); from an existing index only the models compared are decoded, and a run whose file changed since it was indexed is read from its file (Update-BackgroundIndex refreshes the index).'
        Shard         = 'Part i/N of in_dir''s runs to build (1-based, e.g. 2/8); no index is written (Complete-Background writes it when every part has run).'
        PassThru      = 'Returns one result object per run (OBS_ID, output run, background runs used, hours, warnings, error) instead of the config.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(
        @{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A copy of the configuration with background_selection.bkg_runlist set (matched runs only).' }
        @{ Type = 'GammapyTools.Background.MakeBackgroundResult'; Description = 'With -PassThru: one result per run.' }
    )
    Examples    = @(
        @{ Title = 'The whole gammapy-tools workflow'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml
$cfg = Invoke-PrepareDataset -Config $cfg
$cfg = Invoke-MakeBackground -Config $cfg
Invoke-MimicDataset -Config $cfg -Seed 1 | Format-Table'; Remarks = 'Copies the run list out of the search store into io.in_dir, builds each run''s background from KL-matched runs into io.out_dir, then writes io.out_dir/mimic_1 ... mimic_n.' }
        @{ Title = 'Backgrounds from the runs themselves, with a report per run'; Code = '$cfg = Invoke-PrepareDataset -Config ./analysis.yaml
$cfg.io.from_run = $true
Invoke-MakeBackground -Config $cfg -PassThru | Format-Table ObsId, Hours, Succeeded'; Remarks = 'With io.from_run each run''s model is made from its own events; -PassThru reports which runs got a model.' }
    )
    Links       = @('Invoke-PrepareDataset', 'New-BackgroundModel', 'Get-KlDivergence', 'Complete-Background', 'Submit-BackgroundCampaign')
}
