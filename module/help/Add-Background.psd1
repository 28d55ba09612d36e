@{
    Synopsis    = 'Writes a copy of each run''s DL3 file with a background model attached as its BACKGROUND HDU.'
    Description = @(
        'Add-Background takes the results of New-BackgroundModel and writes, for each, a copy of the run''s file into -Destination (same file name) in which the model is the only background HDU: any background HDU the run had is replaced. OBS_ID is set on the new HDU. The input file is never modified; the output is written to a temporary file and renamed, so it is either complete or absent.'
        'An existing output file is kept unless -Force is given.'
    )
    Parameters  = @{
        InputObject = 'Background models from New-BackgroundModel.'
        Destination = 'The folder for the new files.'
        Force       = 'Replaces existing output files.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Background.BackgroundModelResult'; Description = 'Models, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'The new runs, read from the written files.' })
    Examples    = @(
        @{ Title = 'Attach models made from the runs themselves'; Code = 'Get-Run -DataStore ./store -ObsId 64080, 64083 | New-BackgroundModel -FromRun | Add-Background -Destination ./with-bkg | New-DataStoreIndex -Path ./with-bkg'; Remarks = 'Writes copies of runs 64080 and 64083 with a BACKGROUND HDU made from their own events into ./with-bkg and indexes them as a data store gammapy opens. The inputs in ./store are not modified.' }
    )
    Links       = @('New-BackgroundModel', 'New-DataStoreIndex')
}
