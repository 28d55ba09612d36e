@{
    Synopsis    = 'Writes the obs-index and hdu-index of a set of DL3 files, making them a data store.'
    Description = @(
        'New-DataStoreIndex reads the headers of DL3 files and writes obs-index.fits.gz (one row per run, with the columns gammapy and gammapy-tools use: OBS_ID, pointing, zenith, Alt/Az, ONTIME, LIVETIME, DEADC, TSTART, TSTOP, N_TELS, TELLIST, OBJECT, RA_OBJ, DEC_OBJ, dates, and NSBLEVEL and DATE-AVG when the files have them) and hdu-index.fits.gz (one row per HDU, found by its HDUCLAS keywords, with FILE_DIR relative to the index folder) into the folder given by -Path. gammapy''s DataStore.from_dir opens the result.'
        'A file that cannot be read is reported as a non-terminating error naming it, and the others are indexed. Existing index files are kept unless -Force is given. Both index files are written to temporary files and renamed into place, so a failure never leaves a half-written index.'
    )
    Parameters  = @{
        Path  = 'The data store folder where obs-index.fits.gz and hdu-index.fits.gz are written. FILE_DIR in the hdu-index is relative to it.'
        Run   = 'Run objects (from Get-Run) whose files are indexed.'
        File  = 'DL3 file paths to index; wildcards are expanded. Accepts FileInfo objects from Get-ChildItem by property name.'
        Force = 'Replaces existing index files.'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Runs, by value.' }
        @{ Type = 'System.IO.FileInfo'; Description = 'Files, by the property name FullName.' }
    )
    Outputs     = @(@{ Type = 'GammapyTools.PowerShell.Cmdlets.DataStoreIndexResult'; Description = 'The folder, the numbers of runs and HDUs indexed, and the paths of the two index files.' })
    Examples    = @(
        @{ Title = 'Index a folder of DL3 files'; Code = 'New-Item -ItemType Directory ./somewhere | Out-Null
Copy-Item ./src-bkg/*.fits.gz ./somewhere -Exclude *-index.fits.gz
Get-Run -Path ./somewhere/*.fits.gz | New-DataStoreIndex -Path ./somewhere'; Remarks = 'Writes ./somewhere/obs-index.fits.gz and ./somewhere/hdu-index.fits.gz.' }
        @{ Title = 'Rebuild the index of a subset of a store'; Code = 'Get-Run -DataStore ./store | Where-Object NsbLevel -lt 5 | New-DataStoreIndex -Path ./store-lownsb -Force'; Remarks = 'The new index points to the same files (FILE_DIR relative to ./store-lownsb).' }
    )
    Links       = @('Get-Run')
}
