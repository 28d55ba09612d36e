@{
    Synopsis    = 'Re-points background runs onto the field of view of a target run (mimic runs), optionally scrambling known sources out of them.'
    Description = @(
        'Convert-Fov writes, for each background run, a DL3 file that looks as if the run had been taken on the target''s field of view: every event keeps its angular distance and position angle from the pointing, now around the target''s pointing. This is one exact rotation on the sphere per event (the same as astropy''s SkyOffsetFrame round trip), computed in double precision and stored in the column''s own type; RA ends in [0, 360). Camera columns (Xoff/Yoff) and every other column are kept, as are the IRFs and GTIs of the background run.'
        'Headers: RA_PNT/DEC_PNT become the target''s, read from the target file''s EVENTS header in double precision (never from an obs-index row, whose columns may be float32); RA_ORG/DEC_ORG keep the original pointing, RA_SRC/DEC_SRC the original RA_OBJ/DEC_OBJ, OBJ_ORG the original OBJECT and OBS_ORG the original OBS_ID; RA_OFF/DEC_OFF hold target minus original; OBJECT/RA_OBJ/DEC_OBJ become the target''s (from its header too); OBS_ID becomes the target''s in every HDU that has it; GLON_PNT/GLAT_PNT are recomputed where present; HISTORY cards say what was done.'
        'With -ScramblePoint, known sources are removed first, in the background run''s own frame: events in the annulus |r - d| < theta around the pointing (d = the source''s offset) get a uniform new position angle and a new offset drawn from the radial profile of the annulus events outside the source circle (corrected for the part of each ring the circle hides). Camera offsets follow with each event''s own field rotation, and ALT/AZ (where the events have them) follow the event''s move in its own horizontal frame: the sky-to-horizon rotation fixed by the event''s original RA/DEC and ALT/AZ and by the celestial pole of date at elevation GEOLAT (within 1-2 arcsec of astropy''s AltAz for moves up to 3 degrees). Without GEOLAT or a date in the EVENTS header, ALT/AZ are kept and a warning says so. -Seed makes the output bit-for-bit reproducible; the stream depends only on the seed and the two runs'' OBS_IDs.'
        'The output is written to a temporary file and renamed into place; an existing output is not replaced without -Force, and input files are never modified. Only a regular file is ever replaced: a device (such as /dev/null), FIFO, socket or directory at the output path is an error naming it, with or without -Force; a symbolic link there is replaced by the new file (the link, never its target). Hidden temporary files that killed conversions left in the output folder are removed when their process is gone. A run that cannot be converted is reported as a non-terminating error naming its file; the other runs continue. Each converted run is emitted as a Run object read from the new file.'
    )
    Parameters  = @{
        Run            = 'Background runs (Run objects from Get-Run), from the pipeline.'
        Path           = 'Background run DL3 files. Wildcards are expanded. Accepts FileInfo objects from Get-ChildItem by the property name FullName.'
        Target         = 'The target run whose field of view the output takes: a Run object or the path of its DL3 file.'
        Destination    = 'Folder for the output. With one background run the output takes the target run''s file name; with several, each gets its own file <target stem>_bkg<background OBS_ID><extension> (run_1.fits.gz mimicked by run 42 gives run_1_bkg42.fits.gz), so one call never writes a file twice. The same background run given twice is an error before any work.'
        OutputPath     = 'Explicit output file (a name ending in .gz writes a gzip-compressed file), for one background run only: with several, Convert-Fov stops before any work. Use either -Destination or -OutputPath.'
        CopyBackground = 'Give the output the target run''s background model HDU (bkg_2d or bkg_3d), replacing any the background run had. The HDU must be a GADF background table (BKG with ENERG_LO/HI and THETA_LO/HI or DETX/DETY axes), otherwise the run is an error and nothing is written.'
        ScramblePoint  = 'Known sources to scramble out of the background runs: ICRS coordinates in degrees or sexagesimal ("184.467 30.117", "12h17m52s +30d07m00s") or catalog names resolved offline in gamma-cat and 3HWC.'
        ScrambleTheta  = 'Scramble radius in degrees: one value for all scramble points, or one per point. Default 0.3 (gammapy-tools'' radius) when -ScramblePoint is given.'
        Catalog        = 'Catalog files used to resolve scramble point names (gammacat.fits.gz, 3HWC.ecsv). Default: the catalogs under $GAMMAPY_DATA.'
        Seed           = 'Seed of the scrambling random stream. The same seed gives identical output files; without it a random seed is drawn and recorded in a HISTORY card.'
        Force          = 'Overwrite existing output files.'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Background runs, by value.' }
        @{ Type = 'System.String'; Description = 'Paths of background run files, by value or by the property name Path, FullName or PSPath.' }
    )
    Outputs     = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'The converted run, read from the file written (its ObsId and pointing are the target''s).' })
    Examples    = @(
        @{ Title = 'Mimic a target run with one background run'; Code = '$target = Get-Run -DataStore ./hess -ObsId 23523
Get-Run -DataStore ./store -ObsId 64080 | Convert-Fov -Target $target -Destination ./mimic'; Remarks = 'Writes ./mimic/hess_dl3_dr1_obs_id_023523.fits.gz: the events of the simulated run 64080 re-pointed onto the pointing of H.E.S.S. run 23523 (the output takes the target''s file name and OBS_ID).' }
        @{ Title = 'Scramble a known source out, reproducibly'; Code = '$target = Get-Run -DataStore ./hess -ObsId 23523
Get-Run -DataStore ./src-bkg -ObsId 64080 |
    Convert-Fov -Target $target -Destination ./mimic -ScramblePoint ''1ES 1218+304'' -ScrambleTheta 0.3 -Catalog ./catalogs/gammacat.fits.gz -Seed 7'; Remarks = 'Run 64080 of ./src-bkg points 0.5 degree from 1ES 1218+304 and holds its events; they are scrambled out before re-pointing. The name is resolved offline in -Catalog (without -Catalog, in the catalogs under $GAMMAPY_DATA); a point can also be given as coordinates (184.467 30.117). The same seed gives the same file.' }
        @{ Title = 'Several background runs for one target, each in its own file'; Code = '$target = Get-Run -DataStore ./hess -ObsId 23523
Get-Run -DataStore ./store | Where-Object Zenith -lt 30 | Select-Object -First 3 | Convert-Fov -Target $target -Destination ./mimic-many -CopyBackground'; Remarks = 'With several background runs each output is named <target stem>_bkg<OBS_ID>: ./mimic-many/hess_dl3_dr1_obs_id_023523_bkg<OBS_ID>.fits.gz, one per background run; one call never writes a file twice. -CopyBackground gives every output the target run''s background model. Add -WhatIf to see what would be written.' }
    )
    Links       = @('Get-Run', 'New-DataStoreIndex')
}
