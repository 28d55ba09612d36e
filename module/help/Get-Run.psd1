@{
    Synopsis    = 'Gets observation runs from a GADF DL3 data store or from DL3 files.'
    Description = @(
        'Get-Run emits one Run object per observation run: its OBS_ID, file, data store, pointing (RA/Dec, Alt/Az, zenith), NSB level, telescopes, livetime, dates, target object and the class of its background model. The other cmdlets of the module take these objects from the pipeline.'
        'With -DataStore, runs are read from the data store''s obs-index and hdu-index (obs-index.fits[.gz], hdu-index.fits[.gz]); no DL3 file is opened except to check that it exists, so listing thousands of runs is fast. With -Path or -LiteralPath, each DL3 file''s headers are read. Any GADF file works: VERITAS, H.E.S.S., MAGIC, CTAO. HDUs are found by their HDUCLAS keywords; only in a file with no HDUCLAS key at all (CTA 1DC, older files) by their GADF EXTNAMEs (EVENTS, GTI, EFFECTIVE AREA/AEFF, ENERGY DISPERSION/EDISP, PSF, RAD_MAX, BACKGROUND/BKG), whose columns must then fit the role. Two HDUs for one role (two EVENTS tables, an events table named BACKGROUND) is an error naming the file and the HDUs, never a pick.'
        'Dates are read as astropy reads FITS dates, from headers and obs-index rows alike: DATE-OBS with or without fractional seconds (also ''2012-10-13T10:52:08.'' as VERITAS obs-index files write it), a date-only DATE-OBS with TIME-OBS (H.E.S.S.), else MJD-OBS, else TSTART counted from MJDREFI/MJDREFF in TIMEUNIT on TIMESYS (leap seconds included). DateEnd likewise from DATE-END/TIME-END, MJD-END or TSTOP.'
        'Keywords an instrument does not write (H.E.S.S. has no NSBLEVEL) leave the property empty. A run that cannot be read - a missing file, a truncated or non-FITS file, a run number not in the store - is reported as a non-terminating error naming the file, and the other runs are still returned.'
    )
    Parameters  = @{
        DataStore   = 'The data store: its folder, or the path of its hdu-index file. Relative paths are relative to the current location.'
        ObsId       = 'Run numbers (OBS_ID) to get from the data store. Without it, every run of the store is returned, in ascending OBS_ID.'
        Path        = 'DL3 files to read. Wildcards are expanded; a path that matches no file is an error.'
        LiteralPath = 'DL3 files to read, taken exactly as typed (no wildcard expansion). Accepts FileInfo objects from Get-ChildItem by property name.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'File paths, by value or by the property name Path, FullName or PSPath.' }
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Objects with DataStore and ObsId properties, by property name.' }
    )
    Outputs     = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'One object per run. Its default table view shows ObsId, Object, pointing, zenith, azimuth, NSB, telescopes, livetime and date.' })
    Examples    = @(
        @{ Title = 'List the runs of a data store taken below 30 degrees zenith'; Code = 'Get-Run -DataStore ./store | Where-Object Zenith -lt 30 | Format-Table'; Remarks = 'Reads the data store''s index files once and filters the Run objects in PowerShell.' }
        @{ Title = 'Get two H.E.S.S. runs by number'; Code = 'Get-Run -DataStore ./hess -ObsId 23523, 23526'; Remarks = './hess holds two runs of the H.E.S.S. DL3 DR1 release; the same command reads them from the full release''s folder. H.E.S.S. DR1 has no NSBLEVEL keyword, so NsbLevel is empty.' }
        @{ Title = 'Read runs from files and index them as a data store'; Code = 'New-Item -ItemType Directory ./somewhere | Out-Null
Copy-Item ./hess/data/*.fits.gz ./somewhere
Get-Run -Path ./somewhere/*.fits.gz | New-DataStoreIndex -Path ./somewhere'; Remarks = 'Reads every file''s headers and writes obs-index.fits.gz and hdu-index.fits.gz in ./somewhere.' }
    )
    Links       = @('New-DataStoreIndex', 'New-SimulatedDataStore')
}
