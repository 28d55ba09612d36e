@{
    Synopsis    = 'Writes the PNG of a sky map: significance, excess and alpha maps with the target and the exclusion circles, and the significance distribution with its Gaussian fit.'
    Description = @(
        'Export-SkyMapPlot draws the figure gammapy-tools draws for a ring-background analysis: the significance map (its colour scale cut at -5 and +5 sigma when the sky_map section says truncate, the default), the excess map and the alpha map, each with RA and Dec ticks, the target marked and the exclusion circles drawn (unsafe pixels grey); and the distribution of the significances of all safe pixels and of those outside the exclusions (density, log scale) with the fitted Gaussian, N(0, 1), and the fitted mu and sigma written on it.'
        'The PNG is written to a temporary file and renamed into place; an existing file is not replaced without -Force. Test-MimicDataset writes the same figure for every dataset into results_dir.'
    )
    Parameters  = @{
        InputObject = 'The sky map (New-SkyMap), or a Test-MimicDataset row (its map), from the pipeline.'
        Path        = 'The PNG file to write.'
        Width       = 'Image width in pixels (default 1600).'
        Height      = 'Image height in pixels (default 1200).'
        Title       = 'Title of the significance panel (default: the number of runs and the target).'
        Force       = 'Replace an existing file.'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Maps.SkyMap'; Description = 'A map from New-SkyMap, by value.' }
        @{ Type = 'GammapyTools.Maps.MimicDatasetRow'; Description = 'A row of Test-MimicDataset, by value.' }
    )
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The PNG file written.' })
    Examples    = @(
        @{ Title = 'Look at the Crab''s map'; Code = 'New-SkyMap -DataStore ./hess -EnergyMin 0.7 | Export-SkyMapPlot -Path ./crab-skymap.png -Title ''Crab, 2 H.E.S.S. runs'''; Remarks = 'The Crab stands out at the centre; outside the black exclusion circle the significances follow N(0, 1) closely.' }
        @{ Title = 'Without truncating the colour scale'; Code = '$cfg = New-GammapyToolsConfig
$cfg.sky_map.truncate = $false
New-SkyMap -DataStore ./hess -Config $cfg -EnergyMin 0.7 | Export-SkyMapPlot -Path ./crab-full-scale.png'; Remarks = 'The significance colours then span the whole range of the map.' }
    )
    Links       = @('New-SkyMap', 'Export-SkyMap', 'Test-MimicDataset')
}
