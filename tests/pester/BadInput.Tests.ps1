# Pester tests of batches with a bad file in the middle (issue 9): the batch goes on, the bad file is
# one non-terminating error that names it once, and -ErrorAction Stop stops at it.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Magic = Join-Path $script:RepoRoot 'tests/data/magic-rad-max'
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-bad-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Dir | Out-Null

    $magic = @(Get-ChildItem $script:Magic -Filter '*.fits' | Sort-Object Name)
    $script:Good1 = Join-Path $script:Dir 'a_good.fits'
    $script:Good2 = Join-Path $script:Dir 'c_good.fits'
    Copy-Item $magic[0].FullName $script:Good1
    Copy-Item $magic[1].FullName $script:Good2
    # A third run (another OBS_ID) and the target of conversions: H.E.S.S. DR1 runs.
    $hess = Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data'
    $script:Good3 = Join-Path $script:Dir 'd_good.fits.gz'
    Copy-Item (Join-Path $hess 'hess_dl3_dr1_obs_id_023526.fits.gz') $script:Good3
    $script:Target = Join-Path $hess 'hess_dl3_dr1_obs_id_023523.fits.gz'

    # A file the reader refuses: EVENTS NAXIS1 = 2^63-1 (the size overflows 64 bits).
    $bytes = [IO.File]::ReadAllBytes($script:Good1)
    $text = [Text.Encoding]::ASCII.GetString($bytes)
    $at = $text.IndexOf('NAXIS1  =')
    [Text.Encoding]::ASCII.GetBytes('NAXIS1  =  9223372036854775807'.PadRight(80)).CopyTo($bytes, $at)
    $script:Unreadable = Join-Path $script:Dir 'b_unreadable.fits'
    [IO.File]::WriteAllBytes($script:Unreadable, $bytes)

    # A run that loads (its headers are fine) but cannot be used: 2 events without RA. It is made
    # with the module's own core (loaded by the first cmdlet call).
    $null = Get-Run -Path $script:Good2
    $f = [GammapyTools.Fits.FitsFile]::Open($script:Good2)
    try { $hdus = [GammapyTools.Fits.Hdu[]]@($f.ReadAll()) } finally { $f.Dispose() }
    $ra = ($hdus | Where-Object Name -eq 'EVENTS').Table['RA'].Data
    $ra[0] = [float]::NaN; $ra[5] = [float]::NaN
    $script:Unusable = Join-Path $script:Dir 'b_unusable.fits'
    [GammapyTools.Fits.FitsWriter]::Write($script:Unusable, $hdus, $false)

    function Get-Occurrence([string] $text, [string] $part) {
        ([regex]::Matches($text, [regex]::Escape($part))).Count
    }
}

AfterAll {
    Remove-Item -Recurse -Force $script:Dir -ErrorAction SilentlyContinue
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'A bad file in the middle of a batch' {
    It 'Get-Run -Path [good, bad, good] gives 2 runs and 1 error naming the bad file once' {
        $runs = @(Get-Run -Path $script:Good1, $script:Unreadable, $script:Good2 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $runs.Count | Should -Be 2
        $runs.Path | Should -Be @($script:Good1, $script:Good2)
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $script:Unreadable
        $errs[0].Exception | Should -BeOfType 'GammapyTools.Fits.FitsException'
        "$($errs[0])" | Should -Match 'NAXIS'
        Get-Occurrence "$($errs[0])" $script:Unreadable | Should -Be 1
    }

    It 'Get-Run -ErrorAction Stop stops at the bad file' {
        $seen = [Collections.Generic.List[object]]::new()
        { Get-Run -Path $script:Good1, $script:Unreadable, $script:Good2 -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } |
            Should -Throw -ExpectedMessage "*$script:Unreadable*"
        $seen.Count | Should -Be 1
    }

    It 'Get-Run names a directory as a directory' {
        $null = Get-Run -LiteralPath $script:Dir -ErrorVariable errs -ErrorAction SilentlyContinue
        "$($errs[0])" | Should -Match 'is a directory'
        Get-Occurrence "$($errs[0])" $script:Dir | Should -Be 1
    }

    It 'Convert-Fov [good, unusable, good] converts 2 runs and names the unusable file' {
        $runs = @(Get-Run -Path $script:Good1, $script:Unusable, $script:Good3)
        $runs.Count | Should -Be 3    # its headers are fine: the events are the problem
        $target = Get-Run -Path $script:Target
        $out = Join-Path $script:Dir 'mimic'
        $converted = @($runs | Convert-Fov -Target $target -Destination $out -Force -Seed 1 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $converted.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $script:Unusable
        "$($errs[0])" | Should -Match 'non-finite RA'
        Get-Occurrence "$($errs[0])" $script:Unusable | Should -Be 1
        # The outputs on disk are good runs (no NaN was ever written), none for the unusable run.
        $check = @(Get-Run -Path (Join-Path $out '*'))
        $check.Count | Should -Be 2
        $check.ObsId | Should -Be @($target.ObsId, $target.ObsId)
    }

    It 'Convert-Fov -Path [good, unreadable, good] goes on after the unreadable file' {
        $target = Get-Run -Path $script:Target
        $converted = @(Convert-Fov -Path $script:Good1, $script:Unreadable, $script:Good3 -Target $target -Destination (Join-Path $script:Dir 'y') -Force -Seed 1 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $converted.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $script:Unreadable
    }

    It 'Convert-Fov -ErrorAction Stop stops at the first bad run' {
        $runs = @(Get-Run -Path $script:Unusable, $script:Good1)
        $target = Get-Run -Path $script:Target
        $out = Join-Path $script:Dir 'stop'
        { $runs | Convert-Fov -Target $target -Destination $out -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*non-finite RA*'
        @(Get-ChildItem $out -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'New-BackgroundModel [good, unusable, good] builds 2 models and names the unusable run' {
        $runs = @(Get-Run -Path $script:Good1, $script:Unusable, $script:Good2)
        $models = @($runs | New-BackgroundModel -FromRun -NoExclusion -ErrorVariable errs -ErrorAction SilentlyContinue)
        $models.Count | Should -Be 2
        $models.ObsId | Should -Be @($runs[0].ObsId, $runs[2].ObsId)
        $errs.Count | Should -Be 1
        "$($errs[0])" | Should -Match 'non-finite RA'
        Get-Occurrence "$($errs[0])" $script:Unusable | Should -Be 1
    }

    It 'New-BackgroundModel -ErrorAction Stop stops at the unusable run' {
        $runs = @(Get-Run -Path $script:Good1, $script:Unusable, $script:Good2)
        $seen = [Collections.Generic.List[object]]::new()
        { $runs | New-BackgroundModel -FromRun -NoExclusion -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } | Should -Throw
        $seen.Count | Should -Be 1
    }

    It 'New-DataStoreIndex indexes the good files and names the unreadable one' {
        $store = Join-Path $script:Dir 'store'
        New-Item -ItemType Directory $store | Out-Null
        $result = New-DataStoreIndex -Path $store -File $script:Good1, $script:Unreadable, $script:Good2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.RunCount | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -Be $script:Unreadable
    }

    It 'Get-Run -DataStore names a bad obs-index row by row and OBS_ID and returns the other runs' {
        $store = Join-Path $script:Dir 'badrow'
        New-Item -ItemType Directory $store | Out-Null
        Copy-Item $script:Good1, $script:Good2 $store
        $null = New-DataStoreIndex -Path $store -File (Join-Path $store '*.fits')
        $gz = Join-Path $store 'obs-index.fits.gz'
        $f = [GammapyTools.Fits.FitsFile]::Open($gz)
        try { $hdus = [GammapyTools.Fits.Hdu[]]@($f.ReadAll()) } finally { $f.Dispose() }
        $table = $hdus[1].Table
        $table['DEC_PNT'].Data[1] = [double]::NaN
        $bad = $table['OBS_ID'].ToDoubles()[1]
        Remove-Item $gz
        [GammapyTools.Fits.FitsWriter]::Write((Join-Path $store 'obs-index.fits'), $hdus, $false)
        $runs = @(Get-Run -DataStore $store -ErrorVariable errs -ErrorAction SilentlyContinue)
        $runs.Count | Should -Be 1
        $errs.Count | Should -Be 1
        "$($errs[0])" | Should -Match "obs-index row 2 \(OBS_ID $bad\): DEC_PNT"
        $errs[0].TargetObject | Should -Be (Join-Path $store 'obs-index.fits')
    }
}
