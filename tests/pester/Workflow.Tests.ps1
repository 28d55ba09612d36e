# Pester tests of the config-driven workflow: Invoke-PrepareDataset, Invoke-MakeBackground.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Root = Join-Path $TestDrive 'work'
    $search = @(New-SimulatedDataStore -Path (Join-Path $script:Root 'search') -RunCount 16 -Seed 3 -EventsPerRun 2000)
    $script:Targets = @($search | Where-Object NTels -eq 4 | Select-Object -First 2).ObsId
    $cfg = New-GammapyToolsConfig
    $cfg.io.search_datastore = Join-Path $script:Root 'search'
    $cfg.io.in_dir = Join-Path $script:Root 'in'
    $cfg.io.out_dir = Join-Path $script:Root 'out'
    $cfg.io.from_run = $true
    $cfg.run_selection.runlist = @($script:Targets) + 12345
    $script:ConfigPath = Join-Path $script:Root 'analysis.yaml'
    $cfg | Export-GammapyToolsConfig -Path $script:ConfigPath
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Invoke-PrepareDataset and Invoke-MakeBackground' {
    It 'copies the run list, reports the missing run, and returns the config' {
        $given = Import-GammapyToolsConfig $script:ConfigPath
        $cfg = Invoke-PrepareDataset -Config $given -ErrorVariable errs -ErrorAction SilentlyContinue
        $given.run_selection.missing_runs | Should -BeNullOrEmpty   # the object passed in is not changed
        $cfg | Should -BeOfType 'GammapyTools.Config.GammapyToolsConfig'
        $errs.Count | Should -Be 1
        "$errs" | Should -Match 'run 12345'
        @($cfg.run_selection.missing_runs) | Should -Be @(12345)
        @(Get-Run -DataStore (Join-Path $script:Root 'in')).ObsId | Should -Be $script:Targets
    }

    It 'writes nothing with -WhatIf' {
        Invoke-MakeBackground -Config $script:ConfigPath -WhatIf
        Test-Path (Join-Path $script:Root 'out') | Should -BeFalse
    }

    It 'builds backgrounds into out_dir, returns an updated copy of the config and leaves the one passed in alone' {
        $cfg = Import-GammapyToolsConfig $script:ConfigPath
        $before = $cfg.ToYaml()
        $new = Invoke-MakeBackground -Config $cfg -Catalog @() -WarningAction SilentlyContinue
        $runs = @(Get-Run -DataStore (Join-Path $script:Root 'out'))
        $runs.ObsId | Should -Be $script:Targets
        $runs | ForEach-Object { $_.BackgroundClass | Should -Be 'bkg_2d' }
        [object]::ReferenceEquals($new, $cfg) | Should -BeFalse
        $cfg.ToYaml() | Should -Be $before
        # A from_run pass records no bkg_runlist: {run: [run]} would make a later matched pass build every model from the run itself.
        $new.background_selection.bkg_runlist | Should -BeNullOrEmpty
    }

    It 'keeps finished outputs on a rerun' {
        $first = Get-ChildItem (Join-Path $script:Root 'out') -Filter '*.fits*' | Where-Object Name -notlike '*-index*'
        $stamps = $first | ForEach-Object { $_.LastWriteTimeUtc }
        $results = Invoke-MakeBackground -Config $script:ConfigPath -Catalog @() -PassThru
        @($results | Where-Object Skipped).Count | Should -Be 2
        ($first | ForEach-Object { (Get-Item $_.FullName).LastWriteTimeUtc }) | Should -Be $stamps
    }

    It 'compares a prepared run''s new model with the search store''s models of another binning' {
        # out_dir's models have the template binning (0.1-100 TeV in 10 bins, 0-2.5 deg in 5); the
        # simulated store's have 20 bins from 0.05 TeV and 12 offset bins to 3 deg: a common grid, not no_mimic.
        $search = Join-Path $script:Root 'search'
        $target = Get-Run -DataStore (Join-Path $script:Root 'out') | Select-Object -First 1
        $cfg = New-GammapyToolsConfig
        Set-OpenMatching $cfg
        $candidates = @(Find-MimicRun -Target $target -SearchDataStore $search -Config $cfg -WarningVariable w -WarningAction SilentlyContinue)
        $candidates.Count | Should -BeGreaterThan 0
        ($w | Out-String) | Should -Not -Match 'cannot be compared'
        $kl = @(Get-Run -DataStore $search | Get-KlDivergence -Reference $target -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs.Count | Should -Be 0
        $kl.Count | Should -Be 16
        ($candidates | ForEach-Object { $id = $_.ObsId; ($kl | Where-Object ObsId -eq $id).KlDivergence }) | Should -Be $candidates.KlDivergence
    }
}

Describe 'Find-MimicRun' {
    It 'ranks candidates by KL and reports each criterion with -Verbose' {
        $search = Join-Path $script:Root 'search'
        $target = Get-Run -DataStore $search | Where-Object NTels -eq 4 | Select-Object -First 1
        $cfg = New-GammapyToolsConfig
        Set-OpenMatching $cfg
        $verbose = $( $candidates = @(Find-MimicRun -Target $target -SearchDataStore $search -Config $cfg -Verbose -WarningAction SilentlyContinue) ) 4>&1
        ($verbose | Out-String) | Should -Match 'N_TELS = 4: removed'
        $candidates.ObsId | Should -Not -Contain $target.ObsId
        $kl = $candidates.KlDivergence
        $kl | Should -Be ($kl | Sort-Object)
    }

    It 'warns no_mimic when nothing passes' {
        $search = Join-Path $script:Root 'search'
        $target = Get-Run -DataStore $search | Select-Object -First 1
        $cfg = New-GammapyToolsConfig
        $cfg.background_selection.nsb_diff = 0.000001
        $result = @(Find-MimicRun -Target $target -SearchDataStore $search -Config $cfg -WarningVariable w -WarningAction SilentlyContinue)
        $result.Count | Should -Be 0
        ($w | Out-String) | Should -Match 'no_mimic'
    }
}

Describe 'Invoke-MimicDataset' {
    It 'writes n_mimic data stores with their config, one result per target' {
        # TestDrive files of the Describe blocks above are gone: take the targets (with their
        # background models) from the simulated search store itself.
        $cfg = Import-GammapyToolsConfig $script:ConfigPath
        $cfg.io.in_dir = Join-Path $script:Root 'search'
        $cfg.io.out_dir = Join-Path $script:Root 'mimic-out'
        Set-OpenMatching $cfg
        $cfg.background_selection.n_mimic = 2
        $cfg.run_selection.runlist = @($script:Targets)
        $before = $cfg.ToYaml()
        $results = @(Invoke-MimicDataset -Config $cfg -Seed 42 -WarningAction SilentlyContinue)
        $results.Count | Should -Be 2
        $cfg.ToYaml() | Should -Be $before
        $results | ForEach-Object { $_.Succeeded | Should -BeTrue }
        foreach ($i in 1, 2) {
            $folder = Join-Path $script:Root "mimic-out/mimic_$i"
            Join-Path $folder 'config.yaml' | Should -Exist
            $runs = @(Get-Run -DataStore $folder)
            $runs.Count | Should -Be (@($results | Where-Object { -not $_.Questionable }).Count)
        }
        ($results | Format-Table | Out-String) | Should -Match 'BackgroundRuns'
    }

    It 'writes nothing with -WhatIf' {
        $cfg = Import-GammapyToolsConfig $script:ConfigPath
        $cfg.io.out_dir = Join-Path $script:Root 'never'
        Invoke-MimicDataset -Config $cfg -WhatIf
        Test-Path (Join-Path $script:Root 'never') | Should -BeFalse
    }
}

Describe 'Invoke-MimicDataset after a killed run' {
    It 'leaves only complete files and a rerun gives the same stores as an uninterrupted run' {
        $search = Join-Path $script:Root 'search'
        function New-Config([string] $out) {
            $cfg = Import-GammapyToolsConfig $script:ConfigPath
            $cfg.io.in_dir = $search
            $cfg.io.out_dir = $out
            Set-OpenMatching $cfg
            $cfg.background_selection.n_mimic = 5
            $cfg.run_selection.runlist = @(Get-Run -DataStore $search | Where-Object NTels -eq 4).ObsId
            $path = "$out.yaml"
            $cfg | Export-GammapyToolsConfig -Path $path
            $path
        }
        $whole = New-Config (Join-Path $script:Root 'whole')
        Invoke-MimicDataset -Config $whole -Seed 9 -WarningAction SilentlyContinue | Out-Null

        # The same campaign in another process, killed part-way (or, on a fast machine, after it ends).
        $killed = New-Config (Join-Path $script:Root 'killed')
        $script = Join-Path $script:Root 'mimic-child.ps1'
        Set-Content $script "Import-Module '$(Join-Path $script:RepoRoot 'GammapyTools.psd1')'; Invoke-MimicDataset -Config '$killed' -Seed 9 -ThrottleLimit 1 -WarningAction SilentlyContinue | Out-Null"
        $exe = [Environment]::ProcessPath
        $arguments = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $arguments += Join-Path $PSHOME 'pwsh.dll' }
        $arguments += '-NoProfile', '-NonInteractive', '-File', $script
        $child = Start-Process -FilePath $exe -ArgumentList $arguments -PassThru
        # Kill it as soon as its first outputs appear.
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while (-not $child.HasExited -and [DateTime]::UtcNow -lt $deadline -and
            @(Get-ChildItem (Join-Path $script:Root 'killed') -Recurse -Filter '*.fits.gz' -ErrorAction SilentlyContinue).Count -lt 3) {
            Start-Sleep -Milliseconds 10
        }
        $interrupted = -not $child.HasExited
        if ($interrupted) { $child | Stop-Process -Force }
        $child.WaitForExit()
        $done = @(Get-ChildItem (Join-Path $script:Root 'killed') -Recurse -Filter '*.fits.gz' -ErrorAction SilentlyContinue).Count
        Write-Host "    child process $(if ($interrupted) { 'killed' } else { 'had finished' }) with $done file(s) written"

        # Whatever is visible is a complete, readable run.
        $outKilled = Join-Path $script:Root 'killed'
        Get-ChildItem $outKilled -Recurse -Filter '*.fits.gz' | Where-Object { $_.Name -notlike '.*' -and $_.Name -notlike '*-index*' } |
            ForEach-Object { { Get-Run -LiteralPath $_.FullName -ErrorAction Stop } | Should -Not -Throw }

        Invoke-MimicDataset -Config $killed -Seed 9 -WarningAction SilentlyContinue | Out-Null
        foreach ($i in 1..5) {
            $a = Get-ChildItem (Join-Path $script:Root "whole/mimic_$i") -Filter '*.fits*' | Where-Object Name -notlike '.*' | Sort-Object Name
            $b = Get-ChildItem (Join-Path $outKilled "mimic_$i") -Filter '*.fits*' | Where-Object Name -notlike '.*' | Sort-Object Name
            $b.Name | Should -Be $a.Name
            ($b | Get-FileHash).Hash | Should -Be ($a | Get-FileHash).Hash
        }
    }
}
