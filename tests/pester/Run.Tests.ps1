# Pester tests of Get-Run and New-DataStoreIndex on the real H.E.S.S. and MAGIC files in tests/data.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Hess = Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data'
    $script:Magic = Join-Path $script:RepoRoot 'tests/data/magic-rad-max'

    function New-TestStore {
        # Copies the test files into a fresh folder and indexes them; returns the folder.
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Copy-Item (Join-Path $script:Hess '*.fits.gz'), (Join-Path $script:Magic '*.fits') $dir
        Get-Run -Path (Join-Path $dir '*.fits*') | New-DataStoreIndex -Path $dir | Out-Null   # no index exists yet
        $dir
    }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Get-Run' {
    It 'reads runs from files with wildcards' {
        $runs = @(Get-Run -Path (Join-Path $script:Hess '*.fits.gz'))
        $runs.Count | Should -Be 2
        $runs[0] | Should -BeOfType 'GammapyTools.Dl3.Run'
        $runs.ObsId | Should -Be @(23523, 23526)
        $runs[0].Object | Should -Be 'Crab Nebula'
        $runs[0].NsbLevel | Should -BeNullOrEmpty
    }

    It 'takes files from Get-ChildItem by property name' {
        $runs = @(Get-ChildItem $script:Magic -Filter '*.fits' | Get-Run)
        $runs.ObsId | Should -Be @(5029747, 5029748)
    }

    It 'reads runs from a data store by OBS_ID' {
        $store = New-TestStore
        $run = Get-Run -DataStore $store -ObsId 23526
        $run.ObsId | Should -Be 23526
        $run.DataStore | Should -Be $store
        $run.BackgroundClass | Should -Be 'bkg_3d'
        @(Get-Run -DataStore $store).Count | Should -Be 4
    }

    It 'reports an unknown run and still returns the others' {
        $store = New-TestStore
        $runs = @(Get-Run -DataStore $store -ObsId 23523, 42, 23526 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $runs.ObsId | Should -Be @(23523, 23526)
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$errs" | Should -Match 'run 42 is not in the data store'
    }

    It 'names a broken file and still reads the good ones' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Copy-Item (Join-Path $script:Magic '*.fits') $dir
        Set-Content -Path (Join-Path $dir 'broken.fits') -Value 'this is not FITS'
        $runs = @(Get-Run -Path (Join-Path $dir '*.fits') -ErrorVariable errs -ErrorAction SilentlyContinue)
        $runs.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -BeLike '*broken.fits'
        "$errs" | Should -Match 'broken\.fits.*not a FITS file'
    }

    It 'stops at the first error with -ErrorAction Stop' {
        { Get-Run -DataStore (Join-Path $TestDrive 'nothing-here') -ErrorAction Stop } | Should -Throw '*no such data store*'
    }

    It 'shows a default table view' {
        $text = Get-Run -Path (Join-Path $script:Hess '*.fits.gz') | Format-Table | Out-String -Width 200
        $text | Should -Match 'ObsId'
        $text | Should -Match '23523 Crab Nebula'
    }
}

Describe 'New-DataStoreIndex' {
    It 'writes index files that Get-Run reads back' {
        $store = New-TestStore
        Join-Path $store 'obs-index.fits.gz' | Should -Exist
        Join-Path $store 'hdu-index.fits.gz' | Should -Exist
        (Get-Run -DataStore $store).ObsId | Should -Be @(23523, 23526, 5029747, 5029748)
    }

    It 'writes nothing with -WhatIf' {
        $dir = Join-Path $TestDrive 'whatif'
        New-Item -ItemType Directory $dir | Out-Null
        Get-Run -Path (Join-Path $script:Magic '*.fits') | New-DataStoreIndex -Path $dir -WhatIf
        @(Get-ChildItem $dir).Count | Should -Be 0
    }

    It 'refuses to replace an index without -Force' {
        $store = New-TestStore
        $before = (Get-Item (Join-Path $store 'hdu-index.fits.gz')).LastWriteTimeUtc
        $files = (Join-Path $store 'hess_*'), (Join-Path $store '2013*')
        Get-Run -Path $files | New-DataStoreIndex -Path $store -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Item (Join-Path $store 'hdu-index.fits.gz')).LastWriteTimeUtc | Should -Be $before
        $result = Get-Run -Path $files | New-DataStoreIndex -Path $store -Force
        $result.RunCount | Should -Be 4
    }
}
