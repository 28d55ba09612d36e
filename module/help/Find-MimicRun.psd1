@{
    Synopsis    = 'Finds the background runs of a search data store that can mimic a target run, ranked by the KL divergence of their background models.'
    Description = @(
        'Find-MimicRun applies the selection of gammapy-tools'' mimic datasets to each target run: runs of -SearchDataStore within time_max days (or of the same season, with same_szn), with |NSB difference| < nsb_diff, |1/sin(elevation) difference| < el_diff, azimuth difference < az_diff measured on the circle, N_TELS equal to n_tel (or n_tels), |Galactic latitude| > 10 degrees, elevation limits el_min/el_max in degrees, and not the target itself. The remaining runs are ranked by the KL divergence of their background model to the target''s reference model (lowest first): with -Config, the target''s model in the config''s io.in_dir when it has one (the model Invoke-MakeBackground and Invoke-MimicDataset use, so the values agree), else the target''s own model, else that of the run with its OBS_ID in the search store. Models of another kind or binning (a new bkg_2d against bkg_3d models) are compared on their common grid; runs whose livetime differs from the target''s by more than 10 % and runs whose OBJECT is one of bright_sources are dropped, at most 10 are kept, and runs with KL >= 1 are dropped.'
        'Candidate hygiene (on by default; beyond gammapy-tools): a run whose OBJECT is the target''s object (exclude_runlist_objects) or whose pointing lies closer to the target''s source (RA_OBJ/DEC_OBJ, and run_selection.source_ra/source_dec of -Config) than the field of view (binning.off_max) plus the exclusion radius (sky_map.on_exclusion_region) is dropped (exclude_target_fov). Then, in KL order until 10 are accepted, the excess at each position the run would scramble - its own object and the -Catalog sources in its field of view - is measured from its RA/DEC columns (events in a circle of scramble_theta around the source against the ring at the same offset from the pointing, Li & Ma significance); a run above max_scramble_significance (default 3 sigma) is dropped: scrambling hides weak sources, but the photons of a bright or flaring source stay in the ring and raise it. Each candidate''s ScrambleSignificance is the largest value measured. Set a key to false (or max_scramble_significance to null) to switch a rule off.'
        'Criteria come from -Config (background_selection); without it the template''s values apply (those of New-GammapyToolsConfig). A criterion whose value the target does not have (H.E.S.S. writes no NSBLEVEL) is skipped with a warning. With -Verbose each criterion reports how many runs it removed. A target without candidates is reported as a warning with the reason (no_mimic, large_kl) and returns nothing.'
    )
    Parameters  = @{
        Strict = 'Unknown keys and sections in the config are errors instead of warnings (each named with its line and a ''did you mean'' where a known key is close); the command stops before any work. Set it for a whole session with $PSDefaultParameterValues[''*:Strict''] = $true.'
        Target          = 'The target runs (from Get-Run); they need a background model.'
        SearchDataStore = 'The data store searched for background runs.'
        Config          = 'A configuration whose background_selection gives the criteria, and whose io.in_dir holds the targets'' reference models.'
        TableDirectory  = 'A folder where KL tables (<obs>_kl.fits) are stored and reused (store_KL).'
        Catalog         = 'Catalog files (gamma-cat, 3HWC) of known sources whose excess is measured in each candidate besides its own object; default: those under $GAMMAPY_DATA, if any.'
        CachePath       = 'Folder of the background-model index (see Update-BackgroundIndex). Default: config.cache_dir, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Models of runs of a data store are taken from the store''s index there, which is built on first use and refreshed for runs whose files changed.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Dl3.Run'; Description = 'Target runs, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Mimic.MimicCandidate'; Description = 'The candidates, best first: ObsId, KlDivergence, Livetime, ScrambleSignificance (largest excess at the positions it would scramble; Scramble holds each position) and the Run.' })
    Examples    = @(
        @{ Title = 'Candidates for one run'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml
$target = Get-Run -DataStore ./store -ObsId 64080
Find-MimicRun -Target $target -SearchDataStore ./store -Config $cfg -Verbose | Select-Object ObsId, KlDivergence, Livetime'; Remarks = 'Shows the ranked candidates of run 64080 in ./store under the cuts of analysis.yaml and, with -Verbose, what each criterion removed.' }
    )
    Links       = @('Invoke-MimicDataset', 'Get-KlDivergence', 'Convert-Fov')
}
