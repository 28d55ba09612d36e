@{
    Synopsis    = 'Writes a gammapy-tools configuration as a YAML file.'
    Description = @(
        'Export-GammapyToolsConfig writes a configuration object (from Import-GammapyToolsConfig or New-GammapyToolsConfig) as YAML that gammapy-tools and Import-GammapyToolsConfig read. Sections and keys keep their order; unknown keys are written back as they were read. Paths that were relative in the file read are written relative to the folder of the file written.'
        'The file is written atomically: to a temporary file in the same folder, renamed into place, so no partial file is ever visible. An existing file is replaced only with -Force. -WhatIf shows what would be written and writes nothing.'
    )
    Parameters  = @{
        Path        = 'The YAML file to write. Relative paths are relative to the current location; missing folders are created.'
        InputObject = 'The configuration to write, usually from the pipeline.'
        Force       = 'Replaces an existing file. Without it, an existing file is an error and is left unchanged.'
        PassThru    = 'Returns the written file as a FileInfo object.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'The configuration, by value.' })
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'With -PassThru, the written file; otherwise nothing.' })
    Examples    = @(
        @{ Title = 'Change a key and save'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml; $cfg.background_selection.n_mimic = 3; $cfg | Export-GammapyToolsConfig ./analysis.yaml -Force'; Remarks = 'Replaces the file atomically; comments of the original file are not kept.' }
        @{ Title = 'Preview'; Code = 'New-GammapyToolsConfig | Export-GammapyToolsConfig ./template.yaml -WhatIf'; Remarks = 'Says what would be written; writes nothing.' }
    )
    Links       = @('Import-GammapyToolsConfig', 'New-GammapyToolsConfig')
}
