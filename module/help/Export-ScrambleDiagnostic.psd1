@{
    Synopsis    = 'Writes a PNG that shows what scrambling did to a run: counts maps, offset and position-angle distributions before and after.'
    Description = @(
        'Export-ScrambleDiagnostic draws, like the figure of the gammapy-tools mimic document, six panels: counts maps of the original and of the scrambled run (sky offsets around each run''s own pointing, east to the left) and their difference, with the scrambling annulus and each source circle drawn; the distribution of event offsets before and after (the camera''s radial acceptance must be kept); and the distribution of position angles of the annulus events before and after (uniform after scrambling).'
        'The scrambled sources and radii are read from the HISTORY cards that Convert-Fov writes; -ScramblePoint and -ScrambleTheta override them. Because re-pointing keeps every event''s offset and position angle, a scrambled run that was also moved to another field of view is compared correctly with its original.'
        'The PNG is written to a temporary file and renamed into place; an existing file is not replaced without -Force. The module ships the native SkiaSharp library that ScottPlot needs (libSkiaSharp.so next to the module DLL).'
    )
    Parameters  = @{
        Original      = 'The background run before scrambling: a Run object or the path of its DL3 file.'
        Scrambled     = 'The Convert-Fov output: a Run object or the path of its DL3 file. Accepted from the pipeline.'
        Path          = 'The PNG file to write.'
        ScramblePoint = 'Sources to draw instead of those recorded in the scrambled run''s HISTORY: coordinates or catalog names.'
        ScrambleTheta = 'Radii (degrees) for -ScramblePoint: one for all, or one per point.'
        Catalog       = 'Catalog files to resolve -ScramblePoint names (default: those under $GAMMAPY_DATA).'
        Width         = 'Image width in pixels (default 1800).'
        Height        = 'Image height in pixels (default 1000).'
        Force         = 'Overwrite an existing PNG.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'The scrambled run, by value.' })
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The PNG written.' })
    Examples    = @(
        @{ Title = 'Check a scrambled mimic run'; Code = '$original = Get-Run -DataStore ./src-bkg -ObsId 64080
$target = Get-Run -DataStore ./hess -ObsId 23523
$mimic = $original | Convert-Fov -Target $target -Destination ./mimic -ScramblePoint ''184.467 30.117'' -ScrambleTheta 0.3 -Seed 7
Export-ScrambleDiagnostic -Original $original -Scrambled $mimic -Path ./scramble.png'; Remarks = 'Writes ./scramble.png: counts maps before and after scrambling and their difference, with the source circle and annulus taken from the HISTORY of the mimic run.' }
    )
    Links       = @('Convert-Fov', 'Get-Run')
}
