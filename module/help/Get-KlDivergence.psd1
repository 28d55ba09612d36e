@{
    Synopsis    = 'Computes the Kullback-Leibler divergence of runs'' background models against a reference run''s model.'
    Description = @(
        'Get-KlDivergence compares the background model (bkg_2d or bkg_3d HDU) of every run from the pipeline with the background model of the -Reference run, with the gammapy-tools definition: P = a/sum(a) + 1e-9, Q = b/sum(b) + 1e-9, KL = sum of P*ln(P/Q) over all bins, where a is the reference model and b the other run''s. Identical models give 0; lower is more similar.'
        'Models are read once per file and HDU and kept for the session, in parallel (-ThrottleLimit). Models of the same kind and binning are compared bin by bin, as gammapy-tools does. Models of different kinds or binnings are compared on a common grid: a bkg_3d is integrated over FoV azimuth to energy x offset (rings as wide as its pixels, out to the largest full circle inside its FoV), and both are re-binned to the overlap of their ranges with the coarser model''s edges, by integrating rate x bin area (solid angle x energy width). A run without a background model, an unreadable file, or a model that does not overlap the reference at all is a non-terminating error naming the run; the other runs are still compared. Results are returned sorted by KL divergence, lowest first (ties by OBS_ID).'
        'With -TableDirectory the values are stored as <obs>_kl.fits (OBS_ID, KL_DIV, LIVETIME, MODEL_ID; header REF_ID, REF_MOD, KLGRID) in that folder (gammapy-tools'' store_KL). A stored value is reused only when the table was made from the same reference model (content hash) and method and the run''s model file is unchanged (size, time, HDU); otherwise it is recomputed, so the table never changes a result.'
    )
    Parameters  = @{
        Reference      = 'The reference (target) run, a Run object from Get-Run. It must have a background model.'
        InputObject    = 'The runs to compare, Run objects from Get-Run, usually from the pipeline.'
        Path           = 'DL3 files of the runs to compare, by property name (Path or FullName); their headers are read as Get-Run -Path does.'
        TableDirectory = 'Folder of the per-reference KL tables <obs>_kl.fits: existing values are reused, new ones are added. The file is written atomically.'
        ThrottleLimit  = 'Largest number of models read and compared in parallel. Default: the number of processors.'
        CachePath      = 'Folder of the background-model index (see Update-BackgroundIndex). Default: $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use (rebuilt when corrupted); from an existing index only the models compared are decoded, and a run whose file changed since it was indexed is read from its file (Update-BackgroundIndex refreshes the index).'
    }
    Inputs      = @(
        @{ Type = 'GammapyTools.Dl3.Run'; Description = 'Runs to compare, by value.' }
        @{ Type = 'System.String'; Description = 'DL3 file paths, by the property name Path or FullName.' }
    )
    Outputs     = @(@{ Type = 'GammapyTools.Background.KlDivergenceResult'; Description = 'One object per compared run: ObsId, KlDivergence, Livetime, Path, ReferenceObsId, FromTable and the Run itself.' })
    Examples    = @(
        @{ Title = 'The ten background runs most similar to a target'; Code = '$target = Get-Run -DataStore ./store -ObsId 64080
Get-Run -DataStore ./store | Get-KlDivergence -Reference $target | Select-Object -First 10'; Remarks = 'Results come sorted by KL divergence, lowest first (the target itself, with 0, is first).' }
        @{ Title = 'Store and reuse the KL table'; Code = '$target = Get-Run -DataStore ./store -ObsId 64080
Get-Run -DataStore ./store | Get-KlDivergence -Reference $target -TableDirectory ./kl | Out-Null
Get-Run -DataStore ./store | Get-KlDivergence -Reference $target -TableDirectory ./kl | Select-Object -First 3'; Remarks = 'The first call writes ./kl/64080_kl.fits; the second reads the values from it instead of the background models.' }
    )
    Links       = @('Get-Run')
}
