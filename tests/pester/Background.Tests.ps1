# Pester tests of New-BackgroundModel and Add-Background on a small simulated data store.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Store = Join-Path $TestDrive 'store'
    New-SimulatedDataStore -Path $script:Store -RunCount 3 -Seed 4 -EventsPerRun 20000 | Out-Null
    $script:Catalogs = @('gammacat.fits.gz', 'Hipparcos_MAG8_1997.dat') | ForEach-Object { Join-Path $script:RepoRoot "tests/data/catalogs/$_" }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'New-BackgroundModel' {
    It 'builds a bkg_2d model from a run''s own events' {
        $model = Get-Run -DataStore $script:Store | Select-Object -First 1 | New-BackgroundModel -FromRun -Smooth -Catalog $script:Catalogs
        $model.BackgroundClass | Should -Be 'bkg_2d'
        $model.RunsUsed.Count | Should -Be 1
        $model.EventsUsed | Should -BeGreaterThan 1000
        $model.Model2D.EnergyBins | Should -Be 20
    }

    It 'builds a bkg_3d model from other runs' {
        $runs = @(Get-Run -DataStore $script:Store)
        $model = $runs[0] | New-BackgroundModel -BackgroundRun $runs[1], $runs[2] -ThreeDimensional -NoExclusion
        $model.BackgroundClass | Should -Be 'bkg_3d'
        $model.RunsUsed | Should -Be @($runs[1].ObsId, $runs[2].ObsId)
    }

    It 'rejects a bad binning before reading anything' {
        { Get-Run -DataStore $script:Store | New-BackgroundModel -EnergyMin 10 -EnergyMax 1 -NoExclusion -ErrorAction Stop } | Should -Throw '*e_min < e_max*'
    }
}

Describe 'Add-Background' {
    It 'writes runs with the model attached and never touches the inputs' {
        $runs = @(Get-Run -DataStore $script:Store)
        $hashes = $runs | ForEach-Object { (Get-FileHash $_.Path).Hash }
        $out = Join-Path $TestDrive 'with-bkg'
        $new = @($runs | New-BackgroundModel -NoExclusion | Add-Background -Destination $out)
        $new.Count | Should -Be 3
        $new | ForEach-Object { $_.BackgroundClass | Should -Be 'bkg_2d' }
        ($runs | ForEach-Object { (Get-FileHash $_.Path).Hash }) | Should -Be $hashes
        $new | New-DataStoreIndex -Path $out | Out-Null
        @(Get-Run -DataStore $out).Count | Should -Be 3
    }

    It 'keeps existing files without -Force and writes nothing with -WhatIf' {
        $run = Get-Run -DataStore $script:Store | Select-Object -First 1
        $out = Join-Path $TestDrive 'again'
        $run | New-BackgroundModel -NoExclusion | Add-Background -Destination $out -WhatIf
        Test-Path $out | Should -BeFalse
        $run | New-BackgroundModel -NoExclusion | Add-Background -Destination $out | Out-Null
        $run | New-BackgroundModel -NoExclusion | Add-Background -Destination $out -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }
}
