@{
    Synopsis    = 'Writes a PNG of a background model: rate against offset per energy band and the energy × offset map (bkg_2d), or FoV maps per energy band (bkg_3d).'
    Description = @(
        'Export-BackgroundModelPlot draws the background model of a run (its BACKGROUND/BKG HDU, read through the data store''s hdu-index or the file''s HDU classes) or a model just made by New-BackgroundModel. For a bkg_2d model: the rate against offset, one line per energy band (up to six bands spread over the energy axis), and the energy × offset map. For a bkg_3d model: FoV maps (DETX × DETY) of up to six energy bands. Rates are shown as log10 of the model''s unit (s-1 MeV-1 sr-1); cells with rate 0 are left blank, so the holes of a sparse model are visible.'
        'The PNG is written to a temporary file and renamed into place; an existing file is not replaced without -Force.'
    )
    Parameters  = @{
        InputObject = 'A Run with a background HDU (Get-Run) or a background model result (New-BackgroundModel), from the pipeline.'
        Path        = 'The PNG file to write, for one model.'
        Destination = 'A folder: each model is written to <OBS_ID>_background.png there. Use either -Path or -Destination.'
        Width       = 'Image width in pixels (default 1600).'
        Height      = 'Image height in pixels (default 700).'
        Force       = 'Overwrite existing PNG files.'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Runs with a background model, by value.' }
        @{ Type = 'GammapyTools.Background.BackgroundModelResult'; Description = 'Models from New-BackgroundModel, by value.' }
    )
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The PNG files written.' })
    Examples    = @(
        @{ Title = 'Look at the background models of a simulated store'; Code = 'Get-Run -DataStore ./store | Select-Object -First 3 | Export-BackgroundModelPlot -Destination ./plots'; Remarks = 'Writes ./plots/<OBS_ID>_background.png for each of the first three runs: the bkg_2d models the simulator wrote.' }
        @{ Title = 'A model made from the run''s own events, and a H.E.S.S. bkg_3d'; Code = 'Get-Run -DataStore ./store -ObsId 64080 | New-BackgroundModel -FromRun -NoExclusion | Export-BackgroundModelPlot -Path ./own-model.png
Get-Run -DataStore ./hess -ObsId 23523 | Export-BackgroundModelPlot -Path ./hess-bkg3d.png'; Remarks = 'The first model is smoothed and floored (New-BackgroundModel''s defaults); the H.E.S.S. model is drawn as FoV maps of six energy bands.' }
    )
    Links       = @('New-BackgroundModel', 'Get-KlDivergence', 'Export-KlDivergencePlot')
}
