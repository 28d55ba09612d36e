@{
    Synopsis    = 'Writes a sky map (New-SkyMap) as a FITS file of images that gammapy reads: COUNTS, BACKGROUND, NPRED, NPRED_BACKGROUND, EXCESS, ALPHA, SQRT_TS, COUNTS_OFF, ACCEPTANCE_OFF, EXCLUSION, SAFE.'
    Description = @(
        'Export-SkyMap writes every map of a sky map as an IMAGE extension (float64, the map''s TAN WCS: the same pixel grid as gammapy''s WcsGeom.create), so that gammapy reads each one with Map.read(path, hdu="SQRT_TS") (or "COUNTS", "BACKGROUND", "EXCESS", "ALPHA", ...), astropy with fits.open and ds9 or fv show them. The correlated maps (NPRED, NPRED_BACKGROUND, EXCESS, ALPHA, SQRT_TS) hold NaN where the map is not safe, as gammapy''s ExcessMapEstimator writes them.'
        'The primary header records the parameters (E_MIN, E_MAX, E_BINS, THETA, RING_RIN, RING_WID, OFFMAX, EXCL_R) and the numbers read off the map (SIG_TGT, OFF_MEAN, OFF_WID, OFF_PIX, MAX_OFF); the tables RUNS (OBS_ID) and EXCLUSIONS (RA, DEC, RADIUS) list the runs stacked and the excluded circles.'
        'The file is written to a temporary file in the destination folder and renamed into place; an existing file is not replaced without -Force. A .fits.gz path is gzip-compressed.'
    )
    Parameters  = @{
        InputObject = 'The sky map (New-SkyMap), or a Test-MimicDataset row (its map), from the pipeline.'
        Path        = 'The FITS file to write (.fits or .fits.gz).'
        Force       = 'Replace an existing file.'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Maps.SkyMap'; Description = 'A map from New-SkyMap, by value.' }
        @{ Type = 'GammapyTools.Maps.MimicDatasetRow'; Description = 'A row of Test-MimicDataset, by value.' }
    )
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The FITS file written.' })
    Examples    = @(
        @{ Title = 'The Crab''s map, for gammapy or ds9'; Code = 'New-SkyMap -DataStore ./hess -EnergyMin 0.7 | Export-SkyMap -Path ./crab-skymap.fits'; Remarks = 'In Python: Map.read("crab-skymap.fits", hdu="SQRT_TS").plot() shows the significance map on the same WCS.' }
        @{ Title = 'Replace an earlier file'; Code = 'New-SkyMap -DataStore ./hess -EnergyMin 1 | Export-SkyMap -Path ./crab-skymap.fits -Force'; Remarks = 'Without -Force an existing file is an error and stays as it is.' }
    )
    Links       = @('New-SkyMap', 'Export-SkyMapPlot', 'Test-MimicDataset')
}
