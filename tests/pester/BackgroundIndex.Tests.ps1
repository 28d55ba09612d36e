# Pester tests of Update-BackgroundIndex, the index used by Find-MimicRun and campaigns, and config.njobs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Store = Join-Path $TestDrive 'search'
    $script:Runs = @(New-SimulatedDataStore -Path $script:Store -RunCount 12 -Seed 8 -EventsPerRun 3000)
    function script:Get-StoreState { Get-ChildItem $script:Store | ForEach-Object { "$($_.Name) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" } }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Update-BackgroundIndex' {
    It 'reads every model once, then reuses them, and never writes into the store' {
        $cache = Join-Path $TestDrive 'cache1'
        $before = Get-StoreState
        $first = Update-BackgroundIndex -DataStore $script:Store -CachePath $cache
        $first.Runs | Should -Be 12
        $first.Read | Should -Be 12
        $first.Written | Should -BeTrue
        $first.IndexPath | Should -Exist
        (Split-Path $first.IndexPath) | Should -Be $cache
        $second = Update-BackgroundIndex -DataStore $script:Store -CachePath $cache
        $second.Read | Should -Be 0
        $second.Reused | Should -Be 12
        Get-StoreState | Should -Be $before
    }

    It 'rebuilds a corrupted index with a warning' {
        $cache = Join-Path $TestDrive 'cache2'
        $built = Update-BackgroundIndex -DataStore $script:Store -CachePath $cache
        $bytes = [IO.File]::ReadAllBytes($built.IndexPath)
        [IO.File]::WriteAllBytes($built.IndexPath, $bytes[0..($bytes.Length - 50)])
        $again = Update-BackgroundIndex -DataStore $script:Store -CachePath $cache -WarningVariable warnings -WarningAction SilentlyContinue
        $again.Rejected | Should -Match 'truncated'
        $again.Read | Should -Be 12
        "$warnings" | Should -Match 'not trusted'
    }

    It 'hashes touched files again instead of decoding them, and rebuilds an index of the previous format version' {
        $copy = Join-Path $TestDrive 'search-touched'
        Copy-Item -Recurse $script:Store $copy
        $cache = Join-Path $TestDrive 'cache-touch'
        $built = Update-BackgroundIndex -DataStore $copy -CachePath $cache
        $later = (Get-Date).AddMinutes(5)
        Get-ChildItem $copy -Filter *.fits.gz | Where-Object Name -notmatch 'index' | ForEach-Object { $_.LastWriteTime = $later }
        $touched = Update-BackgroundIndex -DataStore $copy -CachePath $cache
        ($touched.Rehashed, $touched.Read, $touched.Reused) | Should -Be (12, 0, 0)
        $touched.Written | Should -BeTrue
        $again = Update-BackgroundIndex -DataStore $copy -CachePath $cache
        ($again.Reused, $again.Rehashed, $again.Written) | Should -Be (12, 0, $false)
        # an index of format version 1 (before hashes and header values): not trusted, rebuilt, said so
        $bytes = [IO.File]::ReadAllBytes($built.IndexPath)
        $bytes[8] = 1
        [IO.File]::WriteAllBytes($built.IndexPath, $bytes)
        $rebuilt = Update-BackgroundIndex -DataStore $copy -CachePath $cache -WarningVariable warnings -WarningAction SilentlyContinue
        $rebuilt.Rejected | Should -Match 'format version 1, not 2'
        $rebuilt.Read | Should -Be 12
        "$warnings" | Should -Match 'format version 1'
    }

    It 'writes nothing with -WhatIf' {
        $cache = Join-Path $TestDrive 'cache3'
        Update-BackgroundIndex -DataStore $script:Store -CachePath $cache -WhatIf
        Test-Path $cache | Should -BeFalse
    }

    It 'reports a folder that is not a data store as an error naming it' {
        $err = $null
        Update-BackgroundIndex -DataStore $TestDrive -CachePath (Join-Path $TestDrive 'cache4') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match 'DataStoreUnreadable'
    }
}

Describe 'Remove-BackgroundIndex' {
    BeforeEach {
        # A cache with the index of a live store, of a deleted one, and temporary files of a dead and a live writer.
        $script:Cache = Join-Path $TestDrive "cache-prune-$([guid]::NewGuid().ToString('N'))"
        $script:Gone = Join-Path $TestDrive "gone-$([guid]::NewGuid().ToString('N'))"
        New-SimulatedDataStore -Path $script:Gone -RunCount 2 -Seed 1 -EventsPerRun 50 | Out-Null
        $script:LiveIndex = (Update-BackgroundIndex -DataStore $script:Store -CachePath $script:Cache).IndexPath
        $script:GoneIndex = (Update-BackgroundIndex -DataStore $script:Gone -CachePath $script:Cache).IndexPath
        Remove-Item -Recurse $script:Gone
        $ended = Start-Process -FilePath true -PassThru
        $ended.WaitForExit()
        $hostTag = [GammapyTools.Output.AtomicFile]::HostTag
        $script:DeadTemp = Join-Path $script:Cache ".$(Split-Path -Leaf $script:GoneIndex).$($ended.Id)@$hostTag.$([guid]::NewGuid().ToString('N')).tmp"
        $script:LiveTemp = Join-Path $script:Cache ".$(Split-Path -Leaf $script:LiveIndex).$PID@$hostTag.$([guid]::NewGuid().ToString('N')).tmp"
        Set-Content $script:DeadTemp 'partial'
        Set-Content $script:LiveTemp 'partial'
        function script:Get-CacheFiles { @(Get-ChildItem -Force $script:Cache | Sort-Object Name).FullName }
    }

    It 'removes nothing with -WhatIf' {
        $before = Get-CacheFiles
        @(Remove-BackgroundIndex -CachePath $script:Cache -WhatIf) | Should -BeNullOrEmpty
        Get-CacheFiles | Should -Be $before
    }

    It 'removes the index of a deleted store and a dead writer''s temporary file, and keeps the live store''s index and a live writer''s file' {
        $removed = @(Remove-BackgroundIndex -CachePath $script:Cache)
        $removed.Count | Should -Be 2
        $orphan = $removed | Where-Object Kind -eq Orphaned
        $orphan.Path | Should -Be $script:GoneIndex
        $orphan.DataStore | Should -Be $script:Gone
        $orphan.Reason | Should -Match 'no longer exists'
        ($removed | Where-Object Kind -eq DeadWriter).Path | Should -Be $script:DeadTemp
        Get-CacheFiles | Should -Be (@($script:LiveIndex, $script:LiveTemp) | Sort-Object { Split-Path -Leaf $_ })
        ($removed | Format-Table | Out-String) | Should -Match 'Orphaned\s+bkg-gone-'
        # The live store's index is intact: the next update reuses every model.
        (Update-BackgroundIndex -DataStore $script:Store -CachePath $script:Cache).Reused | Should -Be 12
    }

    It 'removes the index of the stores named, from the pipeline' {
        $removed = @(Update-BackgroundIndex -DataStore $script:Store -CachePath $script:Cache | Remove-BackgroundIndex -CachePath $script:Cache)
        $removed.Kind | Should -Be 'Requested'
        $removed.Path | Should -Be $script:LiveIndex
        Test-Path $script:LiveIndex | Should -BeFalse
        Test-Path $script:GoneIndex | Should -BeTrue
    }
}

Describe 'The test run''s cache' {
    It 'is a folder of the test run (build.ps1 -Task Test sets XDG_CACHE_HOME), never the user''s ~/.cache/gammapytools' {
        if (-not $env:XDG_CACHE_HOME) {
            if ($env:CI -eq 'true') { throw 'XDG_CACHE_HOME is not set in CI: build.ps1 -Task Test must point it at TestResults' }
            Set-ItResult -Skipped -Because 'SKIPPED: run outside build.ps1 -Task Test (XDG_CACHE_HOME is not set)'
            return
        }
        $default = [GammapyTools.Background.BackgroundIndex]::DefaultDirectory()
        $default | Should -Be (Join-Path $env:XDG_CACHE_HOME 'gammapytools')
        $default | Should -Not -Be (Join-Path $HOME '.cache/gammapytools')
        if ($env:CI -eq 'true') { $env:XDG_CACHE_HOME | Should -BeLike '*TestResults*' }
    }
}

Describe 'Find-MimicRun with the background index' {
    It 'builds the index on first use and gives the same candidates from it' {
        $cache = Join-Path $TestDrive 'cache-find'
        $cfg = New-GammapyToolsConfig
        Set-OpenMatching $cfg
        $target = $script:Runs | Where-Object NTels -eq 4 | Select-Object -First 1
        $cold = @(Find-MimicRun -Target $target -SearchDataStore $script:Store -Config $cfg -CachePath $cache -WarningAction SilentlyContinue)
        @(Get-ChildItem $cache -Filter *.gtbi).Count | Should -Be 1
        $warm = @(Find-MimicRun -Target $target -SearchDataStore $script:Store -Config $cfg -CachePath $cache -WarningAction SilentlyContinue)
        $cold.Count | Should -BeGreaterThan 0
        ($warm | ForEach-Object { "$($_.ObsId) $($_.KlDivergence)" }) | Should -Be ($cold | ForEach-Object { "$($_.ObsId) $($_.KlDivergence)" })
        # and the values are those of models read from the files (Get-KlDivergence without an index of this store)
        $direct = Get-Run -DataStore $script:Store | Where-Object ObsId -in $cold.ObsId | Get-KlDivergence -Reference $target -CachePath (Join-Path $TestDrive 'cache-other')
        ($direct | Sort-Object ObsId | ForEach-Object { "$($_.ObsId) $($_.KlDivergence)" }) | Should -Be ($cold | Sort-Object ObsId | ForEach-Object { "$($_.ObsId) $($_.KlDivergence)" })
    }
}

Describe 'config.njobs and -ThrottleLimit of campaigns' {
    BeforeAll {
        function script:New-CampaignConfig([string] $out, $njobs) {
            $cfg = New-GammapyToolsConfig
            $cfg.io.search_datastore = $script:Store
            $cfg.io.in_dir = $script:Store
            $cfg.io.out_dir = $out
            Set-OpenMatching $cfg
            $cfg.background_selection.n_mimic = 2
            $cfg.config.njobs = $njobs
            $cfg.config.cache_dir = Join-Path $TestDrive 'cache-campaign'
            $cfg.run_selection.runlist = @($script:Runs | Where-Object NTels -eq 4 | Select-Object -First 3).ObsId
            $cfg
        }
    }

    It 'takes njobs as the default, -ThrottleLimit over it, and gives the same bytes either way' {
        $one = Join-Path $TestDrive 'njobs-1'
        $two = Join-Path $TestDrive 'throttle-2'
        $v1 = Invoke-MimicDataset -Config (New-CampaignConfig $one 1) -Seed 5 -Verbose -WarningAction SilentlyContinue 4>&1
        ($v1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain '1 parallel job(s) (config.njobs)'
        $v2 = Invoke-MimicDataset -Config (New-CampaignConfig $two 1) -Seed 5 -ThrottleLimit 2 -Verbose -WarningAction SilentlyContinue 4>&1
        ($v2 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain '2 parallel job(s) (-ThrottleLimit)'
        $files1 = @(Get-ChildItem $one -Recurse -Filter *.fits* | Where-Object Name -notmatch 'index')
        $files1.Count | Should -BeGreaterThan 0
        foreach ($f in $files1) {
            $other = $f.FullName.Replace($one, $two)
            (Get-FileHash $f.FullName).Hash | Should -Be (Get-FileHash $other).Hash
        }
        @(Get-ChildItem (Join-Path $TestDrive 'cache-campaign') -Filter *.gtbi).Count | Should -BeGreaterThan 0
    }

    It 'rejects njobs 0 and -ThrottleLimit 0' {
        { Invoke-MimicDataset -Config (New-CampaignConfig (Join-Path $TestDrive 'bad') 0) -ErrorAction Stop } | Should -Throw -ErrorId 'BadNJobs*'
        { Invoke-MimicDataset -Config (New-CampaignConfig (Join-Path $TestDrive 'bad') 1) -ThrottleLimit 0 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
