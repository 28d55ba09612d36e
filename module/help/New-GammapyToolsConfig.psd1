@{
    Synopsis    = 'Creates a gammapy-tools configuration with the template''s sections, keys and defaults.'
    Description = @(
        'New-GammapyToolsConfig returns a configuration object holding every section and key of the gammapy-tools template (io, binning, config, exclusion, background_selection, run_selection, spectrum, lightcurve, sky_map, results_file, plot_names) with the template''s values as gammapy-tools'' get_config() gives them (binning e_min 0.1, e_max 100, e_bins 10, off_min 0, off_max 2.5, off_bins 5; config njobs 16; background_selection nsb_diff 1.5, el_diff 1, az_diff 45, n_tels 4, time_max 180, same_szn true, time_request 50, smooth true, smooth_sigma 1, KL_DIV true, store_KL false), plus the keys this module adds to background_selection: n_mimic (5), bright_sources and questionable (empty lists). Keys a config file leaves out take these values too.'
        'gammapy-tools'' docs/config.md documents other values for some keys (nsb_diff 0.7, el_diff 0.15, smooth false, smooth_sigma 0.1, time_request 10, e_bins 20, njobs 1); this module follows the template users get from get_config(), not that page.'
        'The object is an ordered dictionary of sections whose keys are the YAML key names, so it is edited like nested hashtables: $cfg.background_selection.n_mimic = 5. A value of the wrong type for a known key is an error that names the key and the expected type. Export-GammapyToolsConfig writes it as YAML.'
    )
    Parameters  = @{}
    Inputs      = @(@{ Type = 'None'; Description = 'This cmdlet does not accept pipeline input.' })
    Outputs     = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'The configuration: an ordered dictionary of sections (each an ordered dictionary of keys).' })
    Examples    = @(
        @{ Title = 'Write a template config'; Code = 'New-GammapyToolsConfig | Export-GammapyToolsConfig ./template.yaml'; Remarks = 'Writes the template with its defaults; edit the io paths before use.' }
        @{ Title = 'Make a config for a mimic dataset'; Code = '$cfg = New-GammapyToolsConfig; $cfg.io.search_datastore = ''./megastore''; $cfg.background_selection.n_mimic = 3; $cfg | Export-GammapyToolsConfig ./mimic.yaml'; Remarks = 'Keys are set with the YAML names.' }
    )
    Links       = @('Import-GammapyToolsConfig', 'Export-GammapyToolsConfig')
}
