@{
    Synopsis    = 'Builds a background model (bkg_2d, or bkg_3d with -ThreeDimensional) for runs, from their own events or from matched background runs.'
    Description = @(
        'New-BackgroundModel bins the events of the source runs in energy (logarithmic bins between -EnergyMin and -EnergyMax, TeV) and offset from the pointing (linear bins from 0 to -OffsetMax, degrees), leaves out events near known gamma-ray sources (gamma-cat and 3HWC: point sources 0.35 degrees, extended sources three times their size), bright stars (Hipparcos, brighter than magnitude 8, 0.35 degrees) and the regions given with -ExcludeRegion, and scales the exposure of each offset bin by the share of its area the excluded regions leave (not by the share of its events kept: a bright source inside an excluded circle would raise the rate exactly there). The rate is counts / (observation time x solid angle of the offset ring x energy width) in s-1 MeV-1 sr-1, the observation time being the GTI sum (ONTIME where there is no GTI), dead time included, as GADF and gammapy define it (gammapy multiplies the model by it).'
        'Rates are smoothed with a Gaussian of -SmoothSigma bins (1 by default, as the gammapy-tools template''s smooth: true; along offset for bkg_2d, in the FoV plane for bkg_3d); -NoSmooth turns this off. Then every bin with exposure whose rate is still 0 gets a floor: the separable estimate (events of its energy row) x (share of all events in its offset or FoV bin) / exposure, with half an event for an energy row or spatial bin without events. gammapy interpolates models in log, so a single zero bin makes it predict no background between that bin and its neighbours, where the run may have events; with the floor it never does. Bins that have a rate keep it. A model built from fewer than 10 events per populated bin gets a warning (use more background runs or fewer bins).'
        'With -FromRun (the default) each run''s model is made from its own events. With -BackgroundRun every input run gets a model made from the events of the given runs (for example the KL-ranked matches of Find-MimicRun). With -ThreeDimensional the model is binned in field-of-view longitude and latitude (RA/Dec-aligned) instead of offset.'
        'The result objects hold the model, the observation time and the events used, and any warnings; pipe them to Add-Background to write runs with the model attached. A run that cannot be read is reported as an error naming its file, and the other runs are still processed.'
    )
    Parameters  = @{
        Run              = 'The runs to build models for (from Get-Run).'
        FromRun          = 'Builds each run''s model from its own events (the default).'
        BackgroundRun    = 'Builds every model from the events of these runs instead.'
        EnergyMin        = 'Lower edge of the energy binning, TeV (default 0.1).'
        EnergyMax        = 'Upper edge of the energy binning, TeV (default 100).'
        EnergyBins       = 'Number of logarithmic energy bins (default 20).'
        OffsetMax        = 'Largest offset from the pointing, degrees (default 2.5).'
        OffsetBins       = 'Number of linear offset bins between 0 and -OffsetMax (default 10).'
        ThreeDimensional = 'Builds a bkg_3d model (energy x FoV longitude x latitude) instead of bkg_2d.'
        Smooth           = 'Smooths the rates with a Gaussian of -SmoothSigma bins. This is the default (the template''s smooth: true); the switch is kept for scripts that pass it.'
        NoSmooth         = 'Does not smooth the rates (the floor still fills empty bins).'
        SmoothSigma      = 'Width of the smoothing Gaussian, in bins (default 1).'
        Catalog          = 'Catalog files (gammacat.fits.gz, 3HWC.ecsv, Hipparcos_MAG8_1997.dat) whose sources and stars are excluded. Default: those under $GAMMAPY_DATA/catalogs.'
        ExcludeRegion    = 'More regions to exclude, as "ra dec radius" in degrees (or "ra dec" with a 0.35 degree radius).'
        NoExclusion      = 'Uses every event: no catalog or region is excluded.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'Runs, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Background.BackgroundModelResult'; Description = 'The run, its model (Model2D or Model3D), the runs used, their observation time (ObservationTime, s), the numbers of events used and excluded, and warnings.' })
    Examples    = @(
        @{ Title = 'A smoothed model from a run''s own events'; Code = 'Get-Run -DataStore ./store -ObsId 64080 | New-BackgroundModel -FromRun | Format-List'; Remarks = 'Shows the model and how many events went into it.' }
        @{ Title = 'Models from matched runs, attached to copies of the runs'; Code = '$bkg = Get-Run -DataStore ./store | Where-Object Zenith -lt 30
Get-Run -DataStore ./store -ObsId 64080, 64083 | New-BackgroundModel -BackgroundRun $bkg -Catalog ./catalogs/gammacat.fits.gz | Add-Background -Destination ./with-bkg'; Remarks = 'Writes runs 64080 and 64083 with a BACKGROUND HDU made from the low-zenith runs (known gamma-cat sources excluded) to ./with-bkg.' }
    )
    Links       = @('Add-Background', 'Get-KlDivergence')
}
