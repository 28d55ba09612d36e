@{
    Synopsis    = 'Makes one stacked ring-background sky map of runs (significance, excess, alpha) and the Gaussian fit of its significances, as gammapy-tools'' RBM analysis does.'
    Description = @(
        'New-SkyMap makes the map gammapy-tools judges a dataset with (its analysis/rbm.py), with gammapy 1.0''s definitions (DESIGN.md section 8): a WCS TAN geometry centred on the target (-Width x -Width degrees in -BinSize bins, as WcsGeom.create); per run the counts of its events in the energy range and the background predicted by its BACKGROUND HDU (bkg_2d or bkg_3d) times its observation time, each run safe within -OffsetMax of its pointing; the runs stacked; the ring background (inner radius -RingInnerRadius, width -RingWidth) of counts and acceptance outside the exclusion regions; a top-hat correlation of radius -Theta; alpha, excess and the signed Li & Ma significance (WStat sqrt_ts) per pixel. The significances of safe pixels outside the exclusion regions are fitted by a Gaussian (mean and standard deviation, as scipy''s norm.fit): a background-only map has OffMean near 0 and OffWidth near 1.'
        'Runs come from the pipeline (Run objects from Get-Run, by value; objects with a Path or FullName property, by property name), from -Path (DL3 files, wildcards allowed) or from -DataStore (all its runs, or -ObsId). All runs of one call are collected and make one map, returned when the input ends.'
        'Parameters: those of the -Config''s sky_map section (gammapy-tools keys e_min, e_max, map_deg, bin_sz, theta, ring_rin, ring_width, offset_max, on_exclusion_region, exclusion_regions, truncate), else the defaults of the gammapy-tools template (0.1-100 TeV, 2.5 degrees in 0.02 degree bins, theta 0.0894, ring 0.7 + 0.1, offset_max 1.75, exclusion 0.35 around the target); each parameter given on the command line replaces its key. -ExclusionRegion replaces the config''s exclusion_regions. The map is centred on -Position, else on the runs'' RA_OBJ/DEC_OBJ.'
        'A run that cannot be used - no background model (Invoke-MakeBackground or Add-Background adds one), unreadable, no events in the energy range, no part of it in the map - is a non-terminating error naming the run and the reason, and the map is made from the others. When no map can be made at all (no usable run, a ring that does not fit inside the map, an empty energy range) the call ends with one error that says why.'
        'The result has SignificanceAtTarget, CountsAtTarget (ON counts in theta), BackgroundAtTarget (alpha x OFF counts), ExcessAtTarget, AlphaAtTarget, OffMean, OffWidth, OffPixels, OffFractionAbove3, MaxOffSignificance and MaxOffPosition, the OBS_IDs stacked (ObsIds, RunCount), the parameters and geometry, and the maps themselves (row-major arrays: Counts, Background, CountsOn, Alpha, Excess, Significance, Exclusion, Safe). With Pester 5 loaded, $map | Should -BeSignalFree and Should -HaveGaussianSignificance judge it (see about_GammapyTools).'
    )
    Parameters  = @{
        InputObject     = 'Runs to map, Run objects from Get-Run, usually from the pipeline.'
        Path            = 'DL3 files of the runs (wildcards allowed), also by the property name Path or FullName.'
        DataStore       = 'A data store folder (with hdu-index): its runs, or those of -ObsId.'
        ObsId           = 'The runs of -DataStore to map (default: all).'
        Config          = 'A config (Import-GammapyToolsConfig, New-GammapyToolsConfig) or the path of a gammapy-tools YAML file; its sky_map section gives every parameter not given here.'
        Position        = 'The map centre, where the significance is read: ''ra dec'' (degrees, or sexagesimal) or a source name from the catalogs (-Catalog, else $GAMMAPY_DATA). Default: the runs'' RA_OBJ/DEC_OBJ.'
        Catalog         = 'Catalog files (gamma-cat, 3HWC, the Hipparcos star list) in which a -Position name is looked up and whose sources -ExcludeKnownSources excludes; default: those under $GAMMAPY_DATA.'
        EnergyMin       = 'Lower end of the reconstructed-energy range, TeV (sky_map.e_min; default 0.1).'
        EnergyMax       = 'Upper end of the reconstructed-energy range, TeV (sky_map.e_max; default 100).'
        EnergyBins      = 'Logarithmic energy bins the background is integrated over (default: 10 per decade).'
        Width           = 'Map width and height, degrees (sky_map.map_deg; default 2.5).'
        BinSize         = 'Pixel size, degrees (sky_map.bin_sz; default 0.02).'
        Theta           = 'Radius of the top-hat correlation (the ON region), degrees (sky_map.theta; default 0.0894).'
        RingInnerRadius = 'Inner radius of the background ring, degrees (sky_map.ring_rin; default 0.7).'
        RingWidth       = 'Width of the background ring, degrees (sky_map.ring_width; default 0.1).'
        OffsetMax       = 'Each run counts only within this distance of its pointing (its safe mask), degrees (sky_map.offset_max; default 1.75).'
        ExclusionRadius = 'Radius of the exclusion circle around the target, degrees (sky_map.on_exclusion_region; default 0.35).'
        ExclusionRegion = 'Further excluded circles, each ''ra dec radius'' in degrees (''ra dec'' takes the exclusion radius); replaces the config''s exclusion_regions.'
        ExcludeKnownSources = 'Also exclude the gamma-ray sources of the catalogs (-Catalog, else those under $GAMMAPY_DATA) and the Hipparcos stars of magnitude 8 or brighter that reach into the map, with the background models'' radii (0.35 degrees for a point source, 3 times the size of an extended one, 0.35 degrees for a star).'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Runs to map, by value.' }
        @{ Type = 'System.String'; Description = 'DL3 file paths, by the property name Path or FullName.' }
    )
    Outputs     = @(@{ Type = 'GammapyTools.Maps.SkyMap'; Description = 'One map of all the runs: the numbers read off it (SignificanceAtTarget, OffMean, OffWidth, MaxOffSignificance, ...), the runs stacked, the parameters, the geometry and the maps.' })
    Examples    = @(
        @{ Title = 'The Crab in two H.E.S.S. runs'; Code = 'New-SkyMap -DataStore ./hess -EnergyMin 0.7'; Remarks = 'Both runs stacked around their object (the Crab nebula), above 0.7 TeV: SignificanceAtTarget is the detection, OffMean and OffWidth describe the significances outside the 0.35 degree exclusion.' }
        @{ Title = 'Runs from the pipeline, parameters from a config, one of them overridden'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml
$map = Get-Run -DataStore ./hess | New-SkyMap -Config $cfg -EnergyMin 1 -Position ''83.633 22.014''
$map
$map.Parameters | Format-List EnergyMin, EnergyMax, Width, BinSize, RingInnerRadius, RingWidth, ExclusionRadius'; Remarks = 'The config''s sky_map section gives the map size, bins, ring and exclusion; -EnergyMin replaces its e_min.' }
        @{ Title = 'Exclude another region and read the largest off-exclusion excess'; Code = '$map = New-SkyMap -Path ./hess/data/*.fits.gz -EnergyMin 0.7 -ExclusionRegion ''84.0 21.5 0.2''
$map.MaxOffSignificance, $map.MaxOffPosition'; Remarks = 'MaxOffSignificance is the largest |significance| (signed) outside every exclusion region, and MaxOffPosition where it is.' }
    )
    Links       = @('Test-MimicDataset', 'Get-Run', 'Invoke-MakeBackground', 'Add-Background')
}
