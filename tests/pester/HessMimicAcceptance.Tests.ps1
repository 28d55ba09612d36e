# Acceptance test of the product's purpose (issue 8, deliverable 9), on real data: the four
# H.E.S.S. DR1 Crab runs go through Invoke-PrepareDataset -> Invoke-MakeBackground ->
# Invoke-MimicDataset (n_mimic 5, default candidate hygiene) with the whole DR1 release as search
# store; gammapy 1.0 (tests/interop/source_significance.py) then analyses the original runs and
# every mimic dataset at the Crab: reflected regions and a FoV-normalised background model.
# A mimic dataset must show no source (|sigma| < 2), the original must (> 30 sigma), and no
# dataset may hold a PKS 2155-304 flare run (2006 July) or a background run serving two targets.
# The module's own null test (issue 15) then judges the same datasets: New-SkyMap's ring-background
# maps agree with gammapy's (tests/interop/ring_skymap.py) on every dataset — here with the bkg_2d
# models this module made — the original fails Should -BeSignalFree, the mimic datasets pass it, and
# Test-MimicDataset reports the same.
#
# Needs ../shared/data/hess-dl3-dr1 and /usr/bin/python3 with gammapy. Without them the tests are
# SKIPPED outside CI; with CI=true they FAIL (CI installs python3-gammapy and provides ../shared).

Describe 'Acceptance: H.E.S.S. DR1 Crab runs mimicked with the DR1 release' {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $script:Hess = Join-Path $script:RepoRoot '../shared/data/hess-dl3-dr1'
        $script:Missing = @()
        if (-not (Test-Path (Join-Path $script:Hess 'obs-index.fits.gz'))) { $script:Missing += "the H.E.S.S. DR1 release ($($script:Hess))" }
        if (-not (Test-Path '/usr/bin/python3')) { $script:Missing += '/usr/bin/python3' }
        else {
            & /usr/bin/python3 -c 'import gammapy' 2>$null
            if ($LASTEXITCODE -ne 0) { $script:Missing += 'gammapy for /usr/bin/python3 (python3-gammapy)' }
        }
        if ($script:Missing.Count -gt 0) { return }
        Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
        $script:Hess = (Resolve-Path $script:Hess).Path
        $script:Crab = @(23523, 23526, 23559, 23592)
        $script:NMimic = 5
        $gammacat = Join-Path $script:RepoRoot 'tests/data/catalogs/gammacat.fits.gz'
        $root = Join-Path $TestDrive 'hess'

        $cfg = New-GammapyToolsConfig
        $cfg.io.search_datastore = $script:Hess
        $cfg.io.in_dir = Join-Path $root 'in'
        $cfg.io.out_dir = Join-Path $root 'out'
        $cfg.run_selection.runlist = $script:Crab
        $cfg.background_selection.n_mimic = $script:NMimic
        # The observing-condition cuts are widened so that the whole release (extragalactic runs of
        # 2004-2008, PKS 2155-304's 2006 flare among them) competes: the hygiene alone must keep
        # the flare out. H.E.S.S. has no NSBLEVEL (that cut is skipped with a warning).
        $cfg.background_selection.el_diff = 2
        $cfg.background_selection.az_diff = 180
        $cfg.background_selection.time_max = 10000
        $script:Config = $cfg

        $cfg = Invoke-PrepareDataset -Config $cfg
        $cfg = Invoke-MakeBackground -Config $cfg -Catalog $gammacat -WarningAction SilentlyContinue
        $script:Results = @(Invoke-MimicDataset -Config $cfg -Seed 42 -Catalog $gammacat -WarningAction SilentlyContinue)
        $out = $cfg.io.out_dir

        # gammapy on the original runs (with their new background models) and on each dataset.
        $stores = @($out) + (1..$script:NMimic | ForEach-Object { Join-Path $out "mimic_$_" })
        $text = & /usr/bin/python3 (Join-Path $script:RepoRoot 'tests/interop/source_significance.py') 83.6333 22.0145 @stores 2>&1
        if ($LASTEXITCODE -ne 0) { throw "source_significance.py failed: $($text -join "`n")" }
        $script:Significance = @{}
        foreach ($line in @($text | Where-Object { "$_".StartsWith('{') })) {
            $j = "$line" | ConvertFrom-Json
            $script:Significance[$j.store] = $j
        }
        $script:Original = $script:Significance[$out]
        $script:Mimic = 1..$script:NMimic | ForEach-Object { $script:Significance[(Join-Path $out "mimic_$_")] }
        $lines = @("original: reflected $($script:Original.reflected) sigma, FoV $($script:Original.fov) sigma")
        $lines += 1..$script:NMimic | ForEach-Object { $m = $script:Mimic[$_ - 1]; "mimic_${_}: reflected $($m.reflected) sigma, FoV $($m.fov) sigma (raw $($m.fov_raw))" }
        $lines += $script:Results | ForEach-Object { "run $($_.ObsId): background runs $($_.BackgroundRuns -join ', ')" }
        Write-Host ($lines -join "`n")

        # The module's null test on the same datasets, with the issue's parameters, and gammapy's maps of them.
        $script:SkyParams = @{ EnergyMin = 0.7; EnergyMax = 100; EnergyBins = 22; Width = 4; BinSize = 0.02; Theta = 0.0894
            RingInnerRadius = 0.6; RingWidth = 0.133; OffsetMax = 1.75; ExclusionRadius = 0.35 }
        $p = $script:SkyParams
        $script:Maps = @{}
        $script:GammapyMaps = @{}
        $script:Names = @()
        foreach ($store in $stores) {
            # Keyed by dataset name, as Test-MimicDataset names its rows.
            $name = if ($store -eq $out) { 'original' } else { Split-Path $store -Leaf }
            $script:Names += @($name)
            $script:Maps[$name] = New-SkyMap -DataStore $store -Position '83.6333 22.0145' @p
            $spec = Join-Path $TestDrive ("spec-" + (Split-Path $store -Leaf) + ".json")
            @{ datastore = $store; obs_ids = @((Get-Run -DataStore $store).ObsId); ra = 83.6333; dec = 22.0145; e_min = $p.EnergyMin; e_max = $p.EnergyMax
                n_bins = $p.EnergyBins; width = $p.Width; binsz = $p.BinSize; theta = $p.Theta; r_in = $p.RingInnerRadius; ring_width = $p.RingWidth
                offset_max = $p.OffsetMax; exclusion_radius = $p.ExclusionRadius; regions = @() } | ConvertTo-Json | Set-Content $spec
            $json = & /usr/bin/python3 (Join-Path $script:RepoRoot 'tests/interop/ring_skymap.py') $spec (Join-Path $TestDrive ("gp-" + (Split-Path $store -Leaf))) 2>&1
            if ($LASTEXITCODE -ne 0) { throw "ring_skymap.py failed: $($json -join "`n")" }
            $script:GammapyMaps[$name] = ($json | Select-Object -Last 1) | ConvertFrom-Json
        }
        $cfg.io.results_dir = Join-Path $root 'results'
        $script:Check = Test-MimicDataset -Config $cfg -Position '83.6333 22.0145' @p -WarningAction SilentlyContinue
        Write-Host (($script:Names | ForEach-Object { $m = $script:Maps[$_]; $g = $script:GammapyMaps[$_]
                    '{0}: ours sigma {1:0.00} mu {2:0.000} width {3:0.000}; gammapy sigma {4:0.00} mu {5:0.000} width {6:0.000}' -f $_, $m.SignificanceAtTarget, $m.OffMean, $m.OffWidth, $g.sigma_target, $g.off_mean, $g.off_std }) -join "`n")
    }

    It 'has its prerequisites' {
        if ($script:Missing.Count -gt 0) {
            $what = $script:Missing -join '; '
            if ($env:CI -eq 'true') { throw "CI=true but missing: $what" }
            Set-ItResult -Skipped -Because "SKIPPED: missing $what"
            return
        }
        $script:Results.Count | Should -Be 4
        $script:Results | ForEach-Object { $_.Succeeded | Should -BeTrue; $_.Questionable | Should -BeNullOrEmpty; $_.Outputs.Count | Should -Be $script:NMimic }
    }

    It 'sees the Crab in the original runs (> 30 sigma, both analyses)' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        $script:Original.observations | Should -Be 4
        $script:Original.reflected | Should -BeGreaterThan 30
        $script:Original.fov | Should -BeGreaterThan 30
    }

    It 'sees no source at the Crab in any mimic dataset (|sigma| < 2, both analyses)' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        foreach ($m in $script:Mimic) {
            $m.observations | Should -Be 4
            [math]::Abs($m.reflected) | Should -BeLessThan 2 -Because "$($m.store) reflected regions"
            [math]::Abs($m.fov) | Should -BeLessThan 2 -Because "$($m.store) FoV-normalised background model"
        }
    }

    It 'uses no PKS 2155-304 flare run and no background run twice in a dataset' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        # The flare runs, from the obs-index: PKS 2155-304 observed in July 2006.
        $flare = @(Get-Run -DataStore $script:Hess | Where-Object { $_.Object -eq 'PKS 2155-304' -and $_.DateObs.Year -eq 2006 -and $_.DateObs.Month -eq 7 }).ObsId
        $flare.Count | Should -Be 15
        foreach ($i in 1..$script:NMimic) {
            $folder = Join-Path $script:Config.io.out_dir "mimic_$i"
            # What the files say (OBS_ORG), not only what the cmdlet returned.
            $used = @(Get-ChildItem $folder -Filter 'hess_dl3_dr1_obs_id_*.fits.gz' | ForEach-Object {
                    $f = [GammapyTools.Fits.FitsFile]::Open($_.FullName)
                    try { $f.Find('EVENTS').Header.GetLong('OBS_ORG') } finally { $f.Dispose() } })
            $used.Count | Should -Be 4
            $used | Where-Object { $_ -in $flare } | Should -BeNullOrEmpty
            ($used | Select-Object -Unique).Count | Should -Be $used.Count -Because "mimic_$i uses $($used -join ', ')"
        }
        $script:Results.Outputs | ForEach-Object { $_.SharedWith | Should -BeNullOrEmpty; $_.ScrambleSignificance | Should -BeLessOrEqual 3 }
    }

    It 'refuses the flare runs by their measured excess, and Find-MimicRun -Verbose says how many' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        $target = Get-Run -DataStore $script:Config.io.out_dir -ObsId 23523
        $cfg = Import-GammapyToolsConfig (Join-Path $script:Config.io.out_dir 'mimic_1/config.yaml')
        $cfg.background_selection.max_scramble_significance = $null
        $unchecked = @(Find-MimicRun -Target $target -SearchDataStore $script:Hess -Config $cfg -WarningAction SilentlyContinue)
        # Without the measurement flare runs are among the best candidates...
        @($unchecked | Where-Object { $_.Run.Object -eq 'PKS 2155-304' -and $_.Run.DateObs.Year -eq 2006 }).Count | Should -BeGreaterThan 0
        # ... with it they are refused, and -Verbose counts them.
        $cfg.background_selection.max_scramble_significance = 3.0
        $verbose = $( $checked = @(Find-MimicRun -Target $target -SearchDataStore $script:Hess -Config $cfg -Verbose -WarningAction SilentlyContinue) ) 4>&1
        @($checked | Where-Object { $_.Run.Object -eq 'PKS 2155-304' -and $_.Run.DateObs.Year -eq 2006 }).Count | Should -Be 0
        $line = @($verbose | Where-Object { "$_" -match 'excess at scrambled sources .* removed (\d+)' })
        $line.Count | Should -Be 1
        [int]([regex]::Match("$($line[0])", 'removed (\d+)').Groups[1].Value) | Should -BeGreaterThan 0
        $checked | ForEach-Object { $_.ScrambleSignificance | Should -BeLessOrEqual 3 }
    }

    It 'makes the same ring-background maps as gammapy on every dataset (sigma within 0.1, off mu and width within 0.02)' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        foreach ($store in $script:Names) {
            $m = $script:Maps[$store]; $g = $script:GammapyMaps[$store]
            $m.RunCount | Should -Be 4
            $m.SignificanceAtTarget | Should -BeGreaterThan ($g.sigma_target - 0.1) -Because $store
            $m.SignificanceAtTarget | Should -BeLessThan ($g.sigma_target + 0.1) -Because $store
            [math]::Abs($m.OffMean - $g.off_mean) | Should -BeLessThan 0.02 -Because $store
            [math]::Abs($m.OffWidth - $g.off_std) | Should -BeLessThan 0.02 -Because $store
            $m.OffPixels | Should -Be $g.off_pixels -Because $store
        }
    }

    It 'fails Should -BeSignalFree on the original Crab map and passes it on every mimic dataset' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        $original = $script:Maps['original']
        $original.SignificanceAtTarget | Should -BeGreaterThan 30
        { $original | Should -BeSignalFree } | Should -Throw '*σ at target*'
        foreach ($name in $script:Names -ne 'original') { $script:Maps[$name] | Should -BeSignalFree -Because $name }
    }

    It 'reports the same maps in Test-MimicDataset: the original row detects the Crab, every mimic row is below 3 sigma' {
        if ($script:Missing.Count -gt 0) { Set-ItResult -Skipped -Because 'SKIPPED: prerequisites missing'; return }
        $script:Check.Rows.Count | Should -Be ($script:NMimic + 1)
        $script:Check.Original.SignificanceAtTarget | Should -BeGreaterThan 30
        foreach ($row in $script:Check.Mimic) {
            [math]::Abs($row.SignificanceAtTarget) | Should -BeLessThan 3 -Because $row.Dataset
            $row.SignificanceAtTarget | Should -Be $script:Maps[$row.Dataset].SignificanceAtTarget -Because $row.Dataset
        }
        $sigmas = @($script:Check.Mimic.SignificanceAtTarget)
        $mean = ($sigmas | Measure-Object -Average).Average
        $sd = [math]::Sqrt((($sigmas | ForEach-Object { ($_ - $mean) * ($_ - $mean) }) | Measure-Object -Sum).Sum / ($sigmas.Count - 1))
        $script:Check.Systematic | Should -BeGreaterThan ($sd - 1e-9)
        $script:Check.Systematic | Should -BeLessThan ($sd + 1e-9)
        Test-Path $script:Check.CsvPath | Should -BeTrue
    }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}
