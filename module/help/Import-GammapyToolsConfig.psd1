@{
    Synopsis    = 'Reads a gammapy-tools YAML configuration file.'
    Description = @(
        'Import-GammapyToolsConfig reads a gammapy-tools YAML configuration (the files gammapy-tools users already have load unchanged) and returns an ordered dictionary of sections whose keys are the YAML keys: $cfg.background_selection.n_mimic, $cfg.io.out_dir. Known keys are checked and converted to their type (integer, number, true/false, string, path, list); a wrong type is an error naming the key, the expected type, and the line and column in the file. Broken YAML is an error with its line and column.'
        'Keys and sections this module does not know are kept, in order, and written back by Export-GammapyToolsConfig; each gives a warning. Both spellings n_tel and n_tels are accepted in background_selection. Relative paths (io.search_datastore, io.in_dir, io.out_dir, io.results_dir, exclusion.star_cat, run-list files) are relative to the config file''s folder: they are resolved to absolute paths on import and written relative again on export. YAML comments are not kept.'
    )
    Parameters  = @{
        Strict = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Path = 'The YAML files to read. Wildcards are expanded; relative paths are relative to the current location.'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'File paths, by value or by the property name FullName or PSPath (Get-ChildItem output).' })
    Outputs     = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'One configuration per file. Its Warnings property lists the warnings of the import; SourcePath and BaseDirectory say where it came from.' })
    Examples    = @(
        @{ Title = 'Read a config and change the number of mimic datasets'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml; $cfg.background_selection.n_mimic = 5'; Remarks = 'The sections behave like hashtables with the YAML key names.' }
        @{ Title = 'See the background selection'; Code = '(Import-GammapyToolsConfig ./analysis.yaml).background_selection'; Remarks = 'Shows the keys and values of the section as a Name/Value table.' }
    )
    Links       = @('Export-GammapyToolsConfig', 'New-GammapyToolsConfig')
}
