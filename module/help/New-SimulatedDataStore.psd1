@{
    Synopsis    = 'Creates a deterministic, simulated VERITAS-like DL3 data store of any size.'
    Description = @(
        'New-SimulatedDataStore writes a GADF DL3 data store for demos, tests and benchmarks: one file per run (<OBS_ID>.fits.gz) plus obs-index.fits.gz and hdu-index.fits.gz. Runs of 20 or 30 minutes are spread over several years and the VERITAS observing seasons (September to June, none in July or August), over extragalactic fields (|b| > 10 degrees) observed with 0.5 degree wobble offsets, at elevations of 40 to 85 degrees, all azimuths, NSB levels 2 to 10, with three or four telescopes.'
        'Events are drawn from a radial camera acceptance (zero beyond 2.5 degrees) times a power law of index 2.7 whose threshold rises with zenith angle, plus optional point sources. EVENTS has the VERITAS columns EVENT_ID TIME RA DEC ENERGY ALT AZ Xoff Yoff; Xoff/Yoff are camera coordinates: the sky offsets turned by the field rotation (parallactic angle) at each event''s time. Each file also holds GTI, EFFECTIVE AREA (aeff_2d), ENERGY DISPERSION (edisp_2d) and, unless -NoBackground, the true background model as a BACKGROUND (bkg_2d) HDU, so estimated backgrounds can be compared with the truth. gammapy opens the store with DataStore.from_dir.'
        'The output depends only on the parameters: the same -Seed gives byte-identical files whatever the number of processors. One Run object is emitted per simulated run.'
    )
    Parameters  = @{
        Path          = 'The folder of the new data store; created when missing. A folder that is not empty is refused unless -Force is given.'
        RunCount      = 'Number of runs (files) to simulate. OBS_IDs start at 64080 and increase with time.'
        Seed          = 'Master seed. Every run''s events come from a random stream derived from the seed and its OBS_ID only, so the same seed gives byte-identical files on any machine and with any number of threads.'
        EventsPerRun  = 'Expected number of background events in a run of 1620 s livetime; each run''s count is Poisson-distributed and scales with its livetime.'
        Source        = 'Positions of point sources to add (RA/Dec in degrees such as ''166.11 38.21'', or sexagesimal). With -Source every run points at one of the sources with a 0.5 degree wobble; source events follow a Gaussian PSF of 0.1 degree and a power law of index 2.5.'
        SourceRate    = 'Strength of each source: gamma-ray events per hour of livetime for the source at the camera centre (scaled by the camera acceptance at its offset).'
        NoBackground  = 'Do not write the BACKGROUND (bkg_2d) HDU (by default every file holds the true background model used for the simulation).'
        NoCompression = 'Write <OBS_ID>.fits instead of gzip-compressed <OBS_ID>.fits.gz files.'
        Force         = 'Write into a folder that is not empty, replacing run and index files of the same names.'
    }
    Inputs      = @(@{ Type = 'None'; Description = 'This cmdlet does not accept pipeline input.' })
    Outputs     = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'One Run object per simulated run.' })
    Notes       = @('The files are synthetic: a simple smooth instrument, not a VERITAS instrument response. Use them to exercise and benchmark analyses, not for physics.')
    Examples    = @(
        @{ Title = 'Create a 50-run store and list its runs'; Code = 'New-SimulatedDataStore -Path ./store50 -RunCount 50 -Seed 1 | Format-Table'; Remarks = 'Writes 50 runs (64080.fits.gz and later), obs-index.fits.gz and hdu-index.fits.gz into ./store50 and shows the runs.' }
        @{ Title = 'A store with a point source, replacing an earlier one'; Code = 'New-SimulatedDataStore -Path ./store -RunCount 20 -Source ''166.114 38.209'' -SourceRate 900 -EventsPerRun 10000 -Force'; Remarks = 'Every run points 0.5 degree away from the source; -Force writes into ./store although it holds an earlier store (its run and index files are replaced).' }
    )
    Links       = @('Get-Run', 'New-DataStoreIndex')
}
