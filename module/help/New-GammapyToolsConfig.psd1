@{
    Synopsis    = 'Creates a gammapy-tools configuration with the template''s sections, keys and defaults.'
    Description = @(
        'New-GammapyToolsConfig returns a configuration object holding every section and key of the gammapy-tools template (io, binning, config, exclusion, background_selection, run_selection, spectrum, lightcurve, sky_map, results_file, plot_names) with the template''s defaults, plus the keys this module adds to background_selection: n_mimic (5), store_KL (false), bright_sources and questionable (empty lists).'
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
