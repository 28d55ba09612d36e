# Pester 5 tests of New-SimulatedDataStore. Run via: dotnet pwsh ./build.ps1 -Task Test

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Base = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Base | Out-Null
}

AfterAll {
    Remove-Item -Recurse -Force $script:Base -ErrorAction SilentlyContinue
}

Describe 'New-SimulatedDataStore' {
    It 'creates a store with N runs and emits the Run objects' {
        $dir = Join-Path $script:Base 'store'
        $runs = @(New-SimulatedDataStore -Path $dir -RunCount 5 -Seed 3 -EventsPerRun 500)
        $runs.Count | Should -Be 5
        $runs[0].GetType().FullName | Should -Be 'GammapyTools.Dl3.Run'
        $runs[0].ObsId | Should -Be 64080
        @(Get-ChildItem $dir -Filter '*.fits.gz' | Where-Object Name -Match '^\d+\.fits\.gz$').Count | Should -Be 5
        Join-Path $dir 'obs-index.fits.gz' | Should -Exist
        Join-Path $dir 'hdu-index.fits.gz' | Should -Exist
        $runs | ForEach-Object { $_.Path | Should -Exist; $_.BackgroundClass | Should -Be 'bkg_2d' }
    }

    It 'writes nothing with -WhatIf' {
        $dir = Join-Path $script:Base 'whatif'
        $out = New-SimulatedDataStore -Path $dir -RunCount 3 -WhatIf
        $out | Should -BeNullOrEmpty
        $dir | Should -Not -Exist
    }

    It 'refuses a non-empty folder without -Force and replaces it with -Force' {
        $dir = Join-Path $script:Base 'twice'
        New-SimulatedDataStore -Path $dir -RunCount 2 -EventsPerRun 200 | Out-Null
        { New-SimulatedDataStore -Path $dir -RunCount 2 -EventsPerRun 200 -ErrorAction Stop } | Should -Throw '*not empty*'
        @(New-SimulatedDataStore -Path $dir -RunCount 2 -EventsPerRun 200 -Force).Count | Should -Be 2
    }

    It 'is reproducible and adds point sources' {
        $a = Join-Path $script:Base 'a'; $b = Join-Path $script:Base 'b'
        New-SimulatedDataStore -Path $a -RunCount 2 -EventsPerRun 300 -Source '166.114 38.209' -Seed 9 | Out-Null
        $runs = @(New-SimulatedDataStore -Path $b -RunCount 2 -EventsPerRun 300 -Source '166.114 38.209' -Seed 9)
        $runs | ForEach-Object { $_.Object | Should -Be 'Source 1' }
        (Get-FileHash (Join-Path $a '64080.fits.gz')).Hash | Should -Be (Get-FileHash (Join-Path $b '64080.fits.gz')).Hash
    }

    It 'rejects an unparsable source position' {
        { New-SimulatedDataStore -Path (Join-Path $script:Base 'bad') -RunCount 1 -Source 'nowhere' -ErrorAction Stop } | Should -Throw '*cannot parse*'
    }
}
