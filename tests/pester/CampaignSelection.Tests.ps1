# Pester tests of what a campaign says about its candidate selection: the criterion that left targets
# without candidates (once per campaign), and Find-MimicRun -Config giving the campaign's own candidates.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')
    $script:Root = Join-Path $TestDrive 'selection'
    $script:Search = Join-Path $script:Root 'search'
    # 60 simulated runs of 11 fields (2 to 10 runs each).
    $script:Runs = @(New-SimulatedDataStore -Path $script:Search -RunCount 60 -EventsPerRun 300 -Seed 2)

    function script:New-SelectionConfig([string] $Name, [long[]] $RunList) {
        $cfg = New-GammapyToolsConfig
        $cfg.io.search_datastore = $script:Search
        $cfg.io.in_dir = $script:Search
        $cfg.io.out_dir = Join-Path $script:Root $Name
        $cfg.run_selection.runlist = $RunList
        $cfg.background_selection.n_mimic = 2
        Set-OpenMatching $cfg
        $path = Join-Path $script:Root "$Name.yaml"
        $cfg | Export-GammapyToolsConfig -Path $path
        $path
    }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'A criterion that leaves targets without candidates' {
    It 'is named once per campaign, with the number of targets it emptied and the key that switches it off' {
        # One run of every field: every search run's OBJECT is a run-list object.
        $list = @($script:Runs | Group-Object Object | ForEach-Object { $_.Group[0].ObsId })
        $cfg = New-SelectionConfig 'all-objects' $list
        $results = @(Invoke-MimicDataset -Config $cfg -Seed 1 -WarningVariable w -WarningAction SilentlyContinue)
        $results.Count | Should -Be $list.Count
        $results.Questionable | Sort-Object -Unique | Should -Be 'no_mimic'
        $results.EmptiedBy.ConfigKey | Sort-Object -Unique | Should -Be 'background_selection.exclude_runlist_objects'
        $about = @($w | Where-Object { "$_" -match 'without candidates' })
        $about.Count | Should -Be 1
        "$($about[0])" | Should -Match "Invoke-MimicDataset: $($list.Count) of $($list.Count) target runs done, 0 failed; $($list.Count) target run\(s\) left without candidates: $($list.Count) by 'OBJECT not a run-list object'"
        "$($about[0])" | Should -Match 'background_selection\.exclude_runlist_objects: false switches it off'
        @($w | Where-Object { "$_" -match 'exclude_runlist_objects' }).Count | Should -Be 1
    }

    It 'names the next rule when the first is switched off, and Find-MimicRun names it per target' {
        $list = @($script:Runs | Group-Object Object | ForEach-Object { $_.Group[0].ObsId })
        $path = New-SelectionConfig 'all-fields' $list
        $cfg = Import-GammapyToolsConfig $path
        $cfg.background_selection.exclude_runlist_objects = $false
        $cfg | Export-GammapyToolsConfig -Path $path -Force
        $results = @(Invoke-MimicDataset -Config $path -Seed 1 -WarningVariable w -WarningAction SilentlyContinue)
        $results.EmptiedBy.ConfigKey | Sort-Object -Unique | Should -Be 'background_selection.exclude_target_fov'
        $about = @($w | Where-Object { "$_" -match 'without candidates' })
        $about.Count | Should -Be 1
        "$($about[0])" | Should -Match "$($list.Count) by 'no run-list source within 2\.85°"

        $target = Get-Run -DataStore $script:Search -ObsId $list[0]
        $found = @(Find-MimicRun -Target $target -SearchDataStore $script:Search -Config (Import-GammapyToolsConfig $path) -WarningVariable fw -WarningAction SilentlyContinue)
        $found.Count | Should -Be 0
        "$fw" | Should -Match "run $($list[0]) is questionable: no_mimic .*'no run-list source within 2\.85° \(field of view \+ exclusion\)' removed the last \d+: background_selection\.exclude_target_fov: false switches it off"
    }

    It 'leaves the summary verbose when every target has candidates' {
        $list = @($script:Runs | Where-Object Object -eq '3C 66A' | Select-Object -First 1).ObsId
        $cfg = New-SelectionConfig 'one-target' $list
        $results = @(Invoke-MimicDataset -Config $cfg -Seed 1 -WarningVariable w -WarningAction SilentlyContinue)
        $results[0].Questionable | Should -BeNullOrEmpty
        @($w | Where-Object { "$_" -match 'without candidates|target runs done' }).Count | Should -Be 0
    }
}

Describe 'Find-MimicRun -Config' {
    It 'gives every target of the run list the candidates, order and KL values of Invoke-MimicDataset' {
        # Targets of three fields: the campaign refuses runs of all three objects for every target,
        # not only runs of the target's own object; runs of the other eight fields stay candidates.
        $list = @('3C 66A', 'RGB J0710+591', 'Draco dSph' | ForEach-Object { $o = $_; ($script:Runs | Where-Object Object -eq $o | Select-Object -First 2).ObsId })
        $cfg = New-SelectionConfig 'compare' $list
        $results = @(Invoke-MimicDataset -Config $cfg -Seed 3 -WarningAction SilentlyContinue)
        $results.Count | Should -Be $list.Count
        $listObjects = @($script:Runs | Where-Object { $list -contains $_.ObsId }).Object | Sort-Object -Unique
        $withCandidates = 0
        foreach ($r in $results) {
            $target = Get-Run -DataStore $script:Search -ObsId $r.ObsId
            $found = @(Find-MimicRun -Target $target -SearchDataStore $script:Search -Config (Import-GammapyToolsConfig $cfg) -WarningAction SilentlyContinue)
            $found.ObsId | Should -Be $r.Candidates.ObsId -Because "run $($r.ObsId): same candidates in the same order"
            $found.KlDivergence | Should -Be $r.Candidates.KlDivergence -Because "run $($r.ObsId): same KL values"
            foreach ($c in $found) { $listObjects | Should -Not -Contain $c.Run.Object }
            if ($found.Count -gt 0) { $withCandidates++ }
        }
        $withCandidates | Should -BeGreaterThan 0
    }

    It 'says with -Verbose whose run list it applies' {
        $list = @($script:Runs | Where-Object Object -eq 'M 82').ObsId
        $cfg = New-SelectionConfig 'verbose' $list
        $target = Get-Run -DataStore $script:Search -ObsId $list[0]
        $verbose = $( $null = Find-MimicRun -Target $target -SearchDataStore $script:Search -Config (Import-GammapyToolsConfig $cfg) -Verbose -WarningAction SilentlyContinue ) 4>&1
        ($verbose | Out-String) | Should -Match "the campaign's selection: run-list objects and sources of $($list.Count) target run\(s\)"
    }
}

Describe 'Background runs shared across a target''s datasets' {
    It 'are counted in the result and recorded in every mimic_i/config.yaml' {
        $list = @($script:Runs | Where-Object Object -eq 'Mrk 421' | Select-Object -First 1).ObsId
        $path = New-SelectionConfig 'shared' $list
        $target = Get-Run -DataStore $script:Search -ObsId $list[0]
        $candidates = @(Find-MimicRun -Target $target -SearchDataStore $script:Search -Config (Import-GammapyToolsConfig $path) -WarningAction SilentlyContinue)
        $candidates.Count | Should -BeGreaterThan 0
        # More datasets than candidates: some background run fills several of them.
        $cfg = Import-GammapyToolsConfig $path
        $cfg.background_selection.n_mimic = $candidates.Count + 2
        $cfg | Export-GammapyToolsConfig -Path $path -Force
        $r = Invoke-MimicDataset -Config $path -Seed 4 -WarningVariable w -WarningAction SilentlyContinue
        $r.Outputs.Count | Should -Be ($candidates.Count + 2)
        $r.DistinctBackgroundRuns | Should -Be $candidates.Count
        $r.SharedBackgroundRuns.Count | Should -BeGreaterThan 0
        foreach ($id in $r.SharedBackgroundRuns) { @($r.Outputs | Where-Object BackgroundObsId -eq $id).Count | Should -BeGreaterThan 1 }
        "$w" | Should -Match "its datasets share $($candidates.Count) distinct background run\(s\), so they are not independent"
        foreach ($i in 1..($candidates.Count + 2)) {
            $saved = Import-GammapyToolsConfig (Join-Path $script:Root "shared/mimic_$i/config.yaml") -WarningVariable unknown -WarningAction SilentlyContinue
            $unknown.Count | Should -Be 0
            $row = @($saved.background_selection.shared_background_runs)
            $row.Count | Should -Be 1
            $row[0] | Should -Be @($list[0], $candidates.Count, ($candidates.Count + 2))
        }
        ($r | Format-Table | Out-String -Width 80) | Should -Match "(?m)^\s*$($list[0])\s.*\s$($candidates.Count)\s*$"   # the Distinct column
    }

    It 'are not recorded when every dataset has its own background run' {
        $list = @($script:Runs | Where-Object Object -eq 'Mrk 421' | Select-Object -First 1).ObsId
        $path = New-SelectionConfig 'independent' $list
        $r = Invoke-MimicDataset -Config $path -Seed 4 -WarningAction SilentlyContinue
        $r.DistinctBackgroundRuns | Should -Be 2
        $r.SharedBackgroundRuns.Count | Should -Be 0
        (Import-GammapyToolsConfig (Join-Path $script:Root 'independent/mimic_1/config.yaml')).background_selection.shared_background_runs | Should -BeNullOrEmpty
    }
}
