@{
    Synopsis    = 'The null test of a mimic campaign: one sky map of the original run list and one of each mimic dataset, each judged against limits; the spread of the significance at the target is the systematic estimate.'
    Description = @(
        'Test-MimicDataset answers the question a mimic dataset exists for: does the analysis find a source where there is none? It makes one ring-background sky map (New-SkyMap) of the original run list and one of every mimic dataset of the config, all with the same parameters (the config''s sky_map section, each parameter given here replacing its key, as for New-SkyMap) at the same position, and judges each.'
        'The original run list: run_selection.runlist (every run of the store when the config has none) from io.out_dir when it is an indexed data store - where Invoke-MakeBackground writes the runs with their background models -, else from io.in_dir; that is the store Invoke-MimicDataset takes its targets from. The mimic datasets: every out_dir/mimic_<n> folder, each an indexed data store whose runs are all mapped, as Invoke-MimicDataset, Complete-MimicDataset (after a campaign in shards) and gammapy-tools write them; a folder without hdu-index (shards not completed) and a dataset up to background_selection.n_mimic that does not exist are errors naming it.'
        'Position: -Position, else run_selection.source_ra/source_dec when it is within offset_max of a run of the original list (the gammapy-tools template always sets the Crab''s: a value far from every run is reported in a warning and not used), else the runs'' RA_OBJ/DEC_OBJ; the first map made fixes the position of all the others.'
        'Verdict (Passed, and Reason naming each failed limit with its numbers): a mimic dataset passes when |SignificanceAtTarget| < -MaxSignificance (3), |OffMean| < -MaxOffMean (0.1) and |OffWidth - 1| < -MaxOffWidthDeviation (0.1). The original''s target holds the source when there is one, so its row is judged on the off-exclusion distribution only (OffMean, OffWidth): its SignificanceAtTarget is the detection. A value that is not a number fails its limit.'
        'Output: one GammapyTools.Maps.MimicDatasetCheckResult. Rows: one MimicDatasetRow per dataset mapped, the original first, then mimic_1, mimic_2, ... - Dataset, Kind (original or mimic), Path, Runs, SignificanceAtTarget, CountsAtTarget, BackgroundAtTarget, ExcessAtTarget, OffMean, OffWidth, OffPixels, MaxOffSignificance, Target, Passed, Reason, PlotPath and the SkyMap (Map). Original and Mimic: the same rows split. Systematic: the sample standard deviation (n - 1) of SignificanceAtTarget over the mimic rows (NaN with fewer than two), the systematic estimate of the method; MeanMimicSignificance their mean. Passed: true when at least one mimic dataset was mapped, every row passed and no dataset failed. Also Limits, Parameters (Position included), Errors, RunErrors, Warnings, CsvPath, ResultsDirectory. The default view prints the rows as a table and the summary below it; -Verbose writes the summary line too.'
        'Files, in io.results_dir, each written atomically: null_test.csv (the rows: Dataset, Kind, Path, Runs, SignificanceAtTarget, CountsAtTarget, BackgroundAtTarget, ExcessAtTarget, OffMean, OffWidth, OffPixels, MaxOffSignificance, TargetRa, TargetDec, Passed, Reason, Plot; numbers in invariant culture, Import-Csv reads it) and null_test_<dataset>.png, the plot of each dataset. Existing files are an error before any map is made unless -Force; -WhatIf writes nothing (the maps are still made and returned: they only read).'
        'A dataset that cannot be mapped is a non-terminating error naming it and the reason, and the other datasets go on; a run left out of a map (no background model, unreadable, ...) is a non-terminating error naming the dataset and the run.'
    )
    Parameters  = @{
        Config               = 'The configuration: an object from Import-GammapyToolsConfig or New-GammapyToolsConfig, or the path of a gammapy-tools YAML file (io.out_dir, io.results_dir, run_selection and sky_map are read).'
        Strict               = 'Unknown keys and sections in the config are errors instead of warnings; the command stops before any work.'
        MaxSignificance      = 'A mimic dataset fails when |SignificanceAtTarget| is not below this (default 3).'
        MaxOffMean           = 'A dataset fails when |OffMean| is not below this (default 0.1).'
        MaxOffWidthDeviation = 'A dataset fails when |OffWidth - 1| is not below this (default 0.1).'
        Force                = 'Replaces the CSV and plots of an earlier check in io.results_dir.'
        Position             = 'The centre of every map: ''ra dec'' (degrees, or sexagesimal) or a source name from the catalogs (-Catalog, else $GAMMAPY_DATA). Default: run_selection.source_ra/source_dec, else the runs'' RA_OBJ/DEC_OBJ.'
        Catalog              = 'Catalog files (gamma-cat, 3HWC, the Hipparcos star list) in which a -Position name is looked up and whose sources -ExcludeKnownSources excludes; default: those under $GAMMAPY_DATA.'
        EnergyMin            = 'Lower end of the reconstructed-energy range, TeV (replaces sky_map.e_min).'
        EnergyMax            = 'Upper end of the reconstructed-energy range, TeV (replaces sky_map.e_max).'
        EnergyBins           = 'Logarithmic energy bins the background is integrated over (default: 10 per decade).'
        Width                = 'Map width and height, degrees (replaces sky_map.map_deg).'
        BinSize              = 'Pixel size, degrees (replaces sky_map.bin_sz).'
        Theta                = 'Radius of the top-hat correlation, degrees (replaces sky_map.theta).'
        RingInnerRadius      = 'Inner radius of the background ring, degrees (replaces sky_map.ring_rin).'
        RingWidth            = 'Width of the background ring, degrees (replaces sky_map.ring_width).'
        OffsetMax            = 'Each run counts only within this distance of its pointing, degrees (replaces sky_map.offset_max).'
        ExclusionRadius      = 'Radius of the exclusion circle around the target, degrees (replaces sky_map.on_exclusion_region).'
        ExclusionRegion      = 'Further excluded circles, each ''ra dec radius'' in degrees; replaces sky_map.exclusion_regions (the same regions for every dataset, so that the maps compare like with like).'
        ExcludeKnownSources  = 'Also exclude the gamma-ray sources of the catalogs (-Catalog, else those under $GAMMAPY_DATA) and the Hipparcos stars of magnitude 8 or brighter that reach into the map, with the background models'' radii (0.35 degrees for a point source, 3 times the size of an extended one, 0.35 degrees for a star).'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Config.GammapyToolsConfig'; Description = 'A configuration, by value.' })
    Outputs     = @(@{ Type = 'GammapyTools.Maps.MimicDatasetCheckResult'; Description = 'Rows (original first, then mimic_1 ...; each with its numbers, Passed, Reason, PlotPath and Map), Original, Mimic, Systematic (sample standard deviation of the mimic rows'' significance at the target), MeanMimicSignificance, Passed, Limits, Parameters, Errors, RunErrors, Warnings, CsvPath.' })
    Examples    = @(
        @{ Title = 'Null test of two mimic datasets of one field'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml
$cfg.run_selection.runlist = @(64080, 64083)                  # two runs of one field (Mrk 501)
$cfg.run_selection.source_ra = 253.4675; $cfg.run_selection.source_dec = 39.7602
$cfg.io.results_dir = ''./null-test''
$cfg = Invoke-MakeBackground -Config (Invoke-PrepareDataset -Config $cfg)
Invoke-MimicDataset -Config $cfg -Seed 1 | Out-Null
$check = Test-MimicDataset -Config $cfg
$check
$check.Systematic'; Remarks = 'One row for the original run list (./results, with its background models) and one per mimic dataset; null_test.csv and one plot per dataset are written into ./null-test. Systematic is the spread of the significance at the target over the mimic datasets.' }
        @{ Title = 'Looser limits, and nothing written'; Code = '$cfg = Import-GammapyToolsConfig ./analysis.yaml
$cfg.run_selection.runlist = @(64080, 64083)
$cfg = Invoke-MakeBackground -Config (Invoke-PrepareDataset -Config $cfg)
Invoke-MimicDataset -Config $cfg -Seed 1 | Out-Null
(Test-MimicDataset -Config $cfg -MaxSignificance 4 -MaxOffWidthDeviation 0.2 -EnergyMin 0.3 -WhatIf).Rows | Format-Table Dataset, SignificanceAtTarget, OffWidth, Passed, Reason'; Remarks = '-WhatIf makes and returns the maps but writes no file; the limits and the energy range apply to every row.' }
    )
    Links       = @('New-SkyMap', 'Invoke-MimicDataset', 'Complete-MimicDataset', 'Invoke-MakeBackground')
}
