# Pester tests of the sky maps and the null test (issue 15): New-SkyMap on the two H.E.S.S. DR1 Crab
# runs of tests/data, the Pester assertions, Test-MimicDataset on a small simulated campaign.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Hess = Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data'
    $script:HessFiles = @(Get-ChildItem $script:Hess -Filter '*.fits.gz' | Sort-Object Name | ForEach-Object FullName)
    $script:Gammacat = Join-Path $script:RepoRoot 'tests/data/catalogs/gammacat.fits.gz'
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-skymap-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Work | Out-Null

    # The two runs as a data store.
    $store = Join-Path $script:Work 'hess'
    New-Item -ItemType Directory (Join-Path $store 'data') | Out-Null
    Copy-Item $script:HessFiles (Join-Path $store 'data')
    Get-Run -Path (Join-Path $store 'data/*.fits.gz') | New-DataStoreIndex -Path $store | Out-Null
    $script:HessStore = $store

    # Run 23523 without its background model (BKG HDU left out), written with the module's own core.
    $f = [GammapyTools.Fits.FitsFile]::Open($script:HessFiles[0])
    try { $hdus = [GammapyTools.Fits.Hdu[]]@($f.ReadAll() | Where-Object Name -ne 'BKG') } finally { $f.Dispose() }
    $script:NoBackground = Join-Path $script:Work 'hess_dl3_dr1_obs_id_023523_nobkg.fits'
    [GammapyTools.Fits.FitsWriter]::Write($script:NoBackground, $hdus, $false)

    # The Crab map every assertion test reads (made once: a few hundred ms).
    $script:Crab = New-SkyMap -Path $script:HessFiles -EnergyMin 0.7
}

AfterAll {
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'New-SkyMap' {
    It 'detects the Crab in the two H.E.S.S. DR1 runs above 0.7 TeV, centred on their object' {
        $map = $script:Crab
        $map | Should -BeOfType 'GammapyTools.Maps.SkyMap'
        $map.RunCount | Should -Be 2
        @($map.ObsIds) | Should -Be @(23523, 23526)
        $map.SignificanceAtTarget | Should -BeGreaterThan 5
        $map.CountsAtTarget | Should -BeGreaterThan $map.BackgroundAtTarget
        $map.Target.SeparationTo([GammapyTools.Sky.SkyCoord]::new(83.63, 22.01)) | Should -BeLessThan 0.01
        $map.Parameters.EnergyMin | Should -Be 0.7
        $map.OffPixels | Should -BeGreaterThan 1000
    }

    It 'makes the same map from -DataStore, from runs on the pipeline and from paths by property name' {
        $fromStore = New-SkyMap -DataStore $script:HessStore -EnergyMin 0.7
        $fromPipeline = Get-Run -DataStore $script:HessStore | New-SkyMap -EnergyMin 0.7
        $byName = Get-ChildItem $script:HessFiles | New-SkyMap -EnergyMin 0.7
        foreach ($m in $fromStore, $fromPipeline, $byName) {
            $m.RunCount | Should -Be 2
            $m.SignificanceAtTarget | Should -Be $script:Crab.SignificanceAtTarget
        }
        (New-SkyMap -DataStore $script:HessStore -ObsId 23526 -EnergyMin 0.7).RunCount | Should -Be 1
    }

    It 'leaves the catalog sources and bright stars out of the ring with -ExcludeKnownSources' {
        $hipparcos = Join-Path $script:RepoRoot 'tests/data/catalogs/Hipparcos_MAG8_1997.dat'
        $known = New-SkyMap -Path $script:HessFiles -EnergyMin 0.7 -ExcludeKnownSources -Catalog $script:Gammacat, $hipparcos
        @($known.Exclusion | Where-Object { -not $_ }).Count | Should -BeGreaterThan @($script:Crab.Exclusion | Where-Object { -not $_ }).Count
        $known.OffPixels | Should -BeLessThan $script:Crab.OffPixels
        # zeta Tau (HIP 26451, V = 3.0), 1.1 degrees from the Crab, is one of them.
        @($known.Parameters.ExclusionRegions | Where-Object Name -like 'HIP*').Count | Should -BeGreaterThan 0
        { New-SkyMap -Path $script:HessFiles -ExcludeKnownSources -Catalog (Join-Path $script:Work 'none.fits') } | Should -Throw
    }

    It 'takes its parameters from the config''s sky_map section, and explicit parameters win' {
        $yaml = Join-Path $script:Work 'skymap.yaml'
        Set-Content $yaml "sky_map:`n    map_deg: 3.0`n    bin_size: 0.04`n    on_exclusion_region: 0.3`n    ring_rin: 0.6 deg`n    exclusion_regions: [[[84.5, 21.0], 0.2]]`n"
        $map = New-SkyMap -Path $script:HessFiles -Config $yaml -EnergyMin 0.7 -RingWidth 0.15 -WarningAction SilentlyContinue
        $map.Parameters.Width | Should -Be 3.0
        $map.Parameters.BinSize | Should -Be 0.04
        $map.Geometry.NX | Should -Be 75
        $map.Parameters.ExclusionRadius | Should -Be 0.3
        $map.Parameters.RingInnerRadius | Should -Be 0.6
        $map.Parameters.RingWidth | Should -Be 0.15
        $map.Parameters.EnergyMin | Should -Be 0.7
        @($map.Parameters.ExclusionRegions).Count | Should -Be 1

        $cfg = Import-GammapyToolsConfig $yaml -WarningAction SilentlyContinue
        $over = New-SkyMap -Path $script:HessFiles -Config $cfg -EnergyMin 0.7 -Width 2 -ExclusionRadius 0.25 -ExclusionRegion '84.0 21.5 0.2', '83.0 22.5'
        $over.Parameters.Width | Should -Be 2
        $over.Parameters.ExclusionRadius | Should -Be 0.25
        # -ExclusionRegion replaces the config's regions; 'ra dec' takes the exclusion radius.
        @($over.Parameters.ExclusionRegions).Radius | Should -Be @(0.2, 0.25)
    }

    It 'centres the map on -Position, given as coordinates or as a catalog name' {
        $byName = New-SkyMap -Path $script:HessFiles -EnergyMin 0.7 -Position 'Crab' -Catalog $script:Gammacat
        $byName.Target.SeparationTo([GammapyTools.Sky.SkyCoord]::new(83.633, 22.014)) | Should -BeLessThan 0.05
        $byCoord = New-SkyMap -Path $script:HessFiles -EnergyMin 0.7 -Position '83.2 22.0'
        $byCoord.Target.Ra | Should -BeLessThan 83.3
        { New-SkyMap -Path $script:HessFiles -Position 'No Such Source' -Catalog $script:Gammacat } | Should -Throw '*No Such Source*'
    }

    It 'names a run without a background model and the cmdlets that add one, and maps the other runs' {
        $map = New-SkyMap -Path $script:NoBackground, $script:HessFiles[1] -EnergyMin 0.7 -ErrorVariable errs -ErrorAction SilentlyContinue
        $map.RunCount | Should -Be 1
        @($map.ObsIds) | Should -Be @(23526)
        $errs.Count | Should -Be 1
        $errs[0].TargetObject.ObsId | Should -Be 23523
        "$($errs[0])" | Should -Match 'run 23523'
        "$($errs[0])" | Should -Match ([regex]::Escape($script:NoBackground))
        "$($errs[0])" | Should -Match 'Invoke-MakeBackground|Add-Background'
    }

    It 'ends with one error when no map can be made' {
        { New-SkyMap -Path $script:NoBackground -EnergyMin 0.7 -ErrorAction SilentlyContinue } | Should -Throw
        { New-SkyMap -Path $script:HessFiles -Width 1 -RingInnerRadius 0.7 } | Should -Throw '*ring*'
        { New-SkyMap -Path $script:HessFiles -ExclusionRegion 'here' } | Should -Throw '*here*'
    }

    It 'shows the numbers in a table that fits 80 columns' {
        $text = $script:Crab | Out-String -Width 80
        $text | Should -Match 'SigTarget'
        $text | Should -Match 'OffWidth'
        ($text -split "`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
    }
}

Describe 'Should -BeSignalFree and Should -HaveGaussianSignificance' {
    It 'fails -BeSignalFree on the Crab, with the numbers in the message' {
        { $script:Crab | Should -BeSignalFree } | Should -Throw '*σ at target* ≥ 3*'
        $message = try { $script:Crab | Should -BeSignalFree; '' } catch { $_.Exception.Message }
        $message | Should -Match ('{0:0.00}' -f $script:Crab.SignificanceAtTarget)
        $script:Crab | Should -Not -BeSignalFree
        $script:Crab | Should -BeSignalFree -MaxSignificance 1000
        { $script:Crab | Should -BeSignalFree -MaxSignificance 1000 -MaxOffSignificance 0.001 } | Should -Throw '*max σ off the exclusions*'
    }

    It 'judges the off-exclusion distribution with -HaveGaussianSignificance, giving μ, width and pixels' {
        $script:Crab | Should -HaveGaussianSignificance -Tolerance 100
        $message = try { $script:Crab | Should -HaveGaussianSignificance -Tolerance 1e-9; '' } catch { $_.Exception.Message }
        $message | Should -Match 'μ = '
        $message | Should -Match 'width = '
        $message | Should -Match "$($script:Crab.OffPixels) pixels"
    }

    It 'refuses what is not a sky map, naming what it got' {
        { 42 | Should -BeSignalFree } | Should -Throw '*System.Int32*'
    }
}

Describe 'Test-MimicDataset' {
    BeforeAll {
        # A simulated campaign: two runs of one field (Mrk 421) as targets, two mimic datasets.
        $root = Join-Path $script:Work 'campaign'
        $search = Join-Path $root 'search'
        New-SimulatedDataStore -Path $search -RunCount 16 -Seed 3 -EventsPerRun 2000 | Out-Null
        $cfg = New-GammapyToolsConfig
        $cfg.io.search_datastore = $search
        $cfg.io.in_dir = $search          # the targets with their (true) background models
        $cfg.io.out_dir = Join-Path $root 'out'
        $cfg.io.results_dir = Join-Path $root 'results'
        Set-OpenMatching $cfg
        $cfg.background_selection.n_mimic = 2
        $cfg.run_selection.runlist = @(64084, 64087)
        $cfg.run_selection.source_ra = 166.1138
        $cfg.run_selection.source_dec = 38.2088
        $cfg.sky_map.map_deg = 3.0
        $cfg.sky_map.bin_size = 0.05
        $null = Invoke-MimicDataset -Config $cfg -Seed 5 -WarningAction SilentlyContinue
        $script:Campaign = $cfg
        $script:Results = Join-Path $root 'results'
    }

    It 'writes nothing with -WhatIf, and still returns the maps' {
        $check = Test-MimicDataset -Config $script:Campaign -WhatIf
        Test-Path $script:Results | Should -BeFalse
        $check.Rows.Count | Should -Be 3
        $check.CsvPath | Should -BeNullOrEmpty
    }

    It 'gives one row for the original run list and one per mimic dataset, and writes the CSV' {
        $check = Test-MimicDataset -Config $script:Campaign -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -BeNullOrEmpty
        $check | Should -BeOfType 'GammapyTools.Maps.MimicDatasetCheckResult'
        $check.Rows.Dataset | Should -Be @('original', 'mimic_1', 'mimic_2')
        $check.Rows.Kind | Should -Be @('original', 'mimic', 'mimic')
        $check.Original.Path | Should -Be $script:Campaign.io.in_dir
        $check.Mimic.Path | Should -Be @((Join-Path $script:Campaign.io.out_dir 'mimic_1'), (Join-Path $script:Campaign.io.out_dir 'mimic_2'))
        $check.Rows.Runs | Should -Be @(2, 2, 2)
        # Every row is read at the same position.
        $check.Rows | ForEach-Object { $_.Target.SeparationTo([GammapyTools.Sky.SkyCoord]::new(166.1138, 38.2088)) | Should -BeLessThan 1e-6 }
        $check.Parameters.Width | Should -Be 3.0
        $sigma = $check.Mimic.SignificanceAtTarget
        $mean = ($sigma | Measure-Object -Average).Average
        # The systematic estimate: the sample standard deviation (n - 1) of σ at the target over the mimic rows.
        $expected = [Math]::Sqrt((($sigma | ForEach-Object { ($_ - $mean) * ($_ - $mean) }) | Measure-Object -Sum).Sum / ($sigma.Count - 1))
        [Math]::Abs($check.Systematic - $expected) | Should -BeLessThan 1e-12
        [Math]::Abs($check.MeanMimicSignificance - $mean) | Should -BeLessThan 1e-12
        foreach ($r in $check.Rows) {
            $r.Passed | Should -Be ([string]::IsNullOrEmpty($r.Reason))
        }

        $csv = @(Import-Csv (Join-Path $script:Results 'null_test.csv'))
        $check.CsvPath | Should -Be (Join-Path $script:Results 'null_test.csv')
        $csv.Dataset | Should -Be @('original', 'mimic_1', 'mimic_2')
        [double]$csv[1].SignificanceAtTarget | Should -Be $check.Mimic[0].SignificanceAtTarget
        $csv[2].Passed | Should -Be "$($check.Mimic[1].Passed)"
        ($check | Out-String -Width 80) | Should -Match 'Systematic'
    }

    It 'writes one plot per dataset' {
        foreach ($name in 'original', 'mimic_1', 'mimic_2') { Join-Path $script:Results "null_test_$name.png" | Should -Exist }
    }

    It 'refuses to replace the files of an earlier check without -Force' {
        { Test-MimicDataset -Config $script:Campaign } | Should -Throw '*-Force*'
        $check = Test-MimicDataset -Config $script:Campaign -Force
        $check.CsvPath | Should -Exist
    }

    It 'judges against the limits given, naming each failed limit with its numbers' {
        $check = Test-MimicDataset -Config $script:Campaign -WhatIf -MaxSignificance 1e-9 -MaxOffMean 1e-9 -MaxOffWidthDeviation 1e-9
        $check.Passed | Should -BeFalse
        $check.Mimic | ForEach-Object { $_.Passed | Should -BeFalse; $_.Reason | Should -Match '\|σ at target\| = [0-9.]+ ≥' }
        # The original's target may hold the source: only its off-exclusion distribution is judged.
        $check.Original.Reason | Should -Not -Match 'σ at target'
        $check.Original.Reason | Should -Match 'off μ'
        $loose = Test-MimicDataset -Config $script:Campaign -WhatIf -MaxSignificance 100 -MaxOffMean 100 -MaxOffWidthDeviation 100
        $loose.Passed | Should -BeTrue
        $loose.Mimic | Should -BeSignalFree -MaxSignificance 100
    }

    It 'names a dataset that cannot be mapped, and maps the others' {
        $broken = Join-Path $script:Campaign.io.out_dir 'mimic_3'
        New-Item -ItemType Directory $broken | Out-Null
        try {
            $check = Test-MimicDataset -Config $script:Campaign -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue
            $check.Rows.Dataset | Should -Be @('original', 'mimic_1', 'mimic_2')
            $errs.Count | Should -Be 1
            "$($errs[0])" | Should -Match 'mimic_3'
            "$($errs[0])" | Should -Match 'Complete-MimicDataset'
            $check.Passed | Should -BeFalse
        }
        finally { Remove-Item $broken -Recurse -Force }
    }

    It 'centres the maps on the runs'' objects when source_ra/source_dec is far from every run, with a warning' {
        $cfg = $script:Campaign.Clone()
        $cfg.run_selection.source_ra = 83.6333
        $cfg.run_selection.source_dec = 22.0133
        $check = Test-MimicDataset -Config $cfg -WhatIf -WarningVariable w -WarningAction SilentlyContinue
        ($w | Out-String) | Should -Match 'source_ra'
        $check.Original.Target.SeparationTo([GammapyTools.Sky.SkyCoord]::new(166.1138, 38.2088)) | Should -BeLessThan 0.5
    }
}

Describe 'Export-SkyMap and Export-SkyMapPlot' {
    It 'writes a FITS file of the maps that our own reader gives back, and a PNG of the requested size' {
        $fits = Join-Path $script:Work 'export/crab.fits'
        $png = Join-Path $script:Work 'export/crab.png'
        New-Item -ItemType Directory (Split-Path $fits) -Force | Out-Null
        ($script:Crab | Export-SkyMap -Path $fits).FullName | Should -Be $fits
        ($script:Crab | Export-SkyMapPlot -Path $png -Width 800 -Height 600).Length | Should -BeGreaterThan 10000
        $f = [GammapyTools.Fits.FitsFile]::Open($fits)
        try {
            $f.Find('SQRT_TS').Header.GetString('CTYPE1') | Should -Be 'RA---TAN'
            $f.Hdus[0].Header.GetDouble('SIG_TGT') | Should -Be $script:Crab.SignificanceAtTarget
            @($f.ReadTable('RUNS').Table['OBS_ID'].ToDoubles()) | Should -Be @(23523, 23526)
        } finally { $f.Dispose() }
        $bitmap = [SkiaSharp.SKBitmap]::Decode($png)
        try { $bitmap.Width | Should -Be 800; $bitmap.Height | Should -Be 600 } finally { $bitmap.Dispose() }
    }

    It 'writes nothing with -WhatIf, refuses an existing file without -Force, and names what is not a map' {
        $fits = Join-Path $script:Work 'export/whatif.fits'
        $script:Crab | Export-SkyMap -Path $fits -WhatIf
        $fits | Should -Not -Exist
        $script:Crab | Export-SkyMapPlot -Path (Join-Path $script:Work 'export/whatif.png') -WhatIf
        Join-Path $script:Work 'export/whatif.png' | Should -Not -Exist

        $again = Join-Path $script:Work 'export/again.fits'
        $script:Crab | Export-SkyMap -Path $again | Out-Null
        $before = (Get-Item $again).LastWriteTimeUtc
        $script:Crab | Export-SkyMap -Path $again -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputExists*'
        (Get-Item $again).LastWriteTimeUtc | Should -Be $before
        ($script:Crab | Export-SkyMap -Path $again -Force) | Should -Not -BeNullOrEmpty

        'not a map' | Export-SkyMapPlot -Path (Join-Path $script:Work 'export/x.png') -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'NotASkyMap*'
        $bad[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $bad[0].Exception.Message | Should -Match 'String'
    }
}
