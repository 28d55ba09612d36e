# Pester tests of cluster-scale work: Ctrl+C/SIGINT/SIGTERM stop a campaign cleanly, shards + Complete give the
# unsharded stores, and Submit-MimicCampaign on a real (single-node) Slurm that .ci/start-slurm starts.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Manifest = Join-Path $script:RepoRoot 'GammapyTools.psd1'
    Import-Module $script:Manifest -Force
    $script:Root = Join-Path $TestDrive 'cluster'

    # The PowerShell running these tests, as a command line for a child process.
    $script:Exe = [Environment]::ProcessPath
    $script:ExeArgs = @()
    if ([IO.Path]::GetFileNameWithoutExtension($script:Exe) -eq 'dotnet') { $script:ExeArgs += Join-Path $PSHOME 'pwsh.dll' }

    # A small mimic campaign: 60 simulated runs, 5 targets with 4 telescopes, 2 datasets.
    $search = Join-Path $script:Root 'search'
    $runs = @(New-SimulatedDataStore -Path $search -RunCount 60 -EventsPerRun 300 -Seed 2)
    $script:MimicTargets = @($runs | Where-Object NTels -eq 4 | Select-Object -First 5).ObsId
    function script:New-MimicConfig([string] $Name) {
        $cfg = New-GammapyToolsConfig
        $cfg.io.search_datastore = $search
        $cfg.io.in_dir = $search
        $cfg.io.out_dir = Join-Path $script:Root $Name
        $cfg.run_selection.runlist = $script:MimicTargets
        $cfg.background_selection.n_mimic = 2
        $cfg.background_selection.time_max = 400
        # The simulated store observes few fields: every run shares its object with a target, so the
        # hygiene (DESIGN.md §5) would leave no candidates; this test is about shards, not hygiene.
        $cfg.background_selection.exclude_target_fov = $false
        $cfg.background_selection.exclude_runlist_objects = $false
        $path = Join-Path $script:Root "$Name.yaml"
        $cfg | Export-GammapyToolsConfig -Path $path
        $path
    }
    # Every file of two output trees is byte-identical, except the out_dir line of saved configs (each campaign names its own).
    function script:Assert-SameStores([string] $Expected, [string] $Actual, [string[]] $Exclude = @()) {
        $a = @(Get-ChildItem $Expected -Recurse -File | Where-Object { $Exclude -notcontains $_.Directory.Name } | ForEach-Object { [IO.Path]::GetRelativePath($Expected, $_.FullName) } | Sort-Object)
        $b = @(Get-ChildItem $Actual -Recurse -File | Where-Object { $Exclude -notcontains $_.Directory.Name } | ForEach-Object { [IO.Path]::GetRelativePath($Actual, $_.FullName) } | Sort-Object)
        $a.Count | Should -BeGreaterThan 0
        $b | Should -Be $a
        foreach ($rel in $a) {
            $x = Join-Path $Expected $rel; $y = Join-Path $Actual $rel
            if ($rel -like '*.yaml') {
                (Get-Content $y | Where-Object { $_ -notmatch '^\s*out_dir:' }) | Should -Be (Get-Content $x | Where-Object { $_ -notmatch '^\s*out_dir:' }) -Because $rel
            }
            else { (Get-FileHash $y).Hash | Should -Be (Get-FileHash $x).Hash -Because "$rel must be byte-identical" }
        }
    }
    # True when Slurm answers; otherwise the calling test FAILS in CI (CI=true) and is SKIPPED elsewhere.
    function script:Test-SlurmUp {
        # sinfo without a reachable controller can take a minute (DNS lookups of the config): bound it.
        & timeout 15 sinfo -h *> $null
        if ($LASTEXITCODE -eq 0) { return $true }
        if ($env:CI -eq 'true') { throw 'Slurm is not up (sinfo does not answer) in CI: .ci/start-slurm must start it' }
        Set-ItResult -Skipped -Because 'SKIPPED: Slurm is not up (sinfo does not answer); run .ci/start-slurm as root'
        $false
    }
    $script:WholeConfig = New-MimicConfig 'whole'
    Invoke-MimicDataset -Config $script:WholeConfig -Seed 1 -WarningAction SilentlyContinue | Out-Null
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Shards' {
    It 'rejects a shard that is not i/N' {
        { Invoke-MimicDataset -Config $script:WholeConfig -Shard '4/3' -WhatIf } | Should -Throw '*i/N*'
        { Invoke-MakeBackground -Config $script:WholeConfig -Shard 'two' -WhatIf } | Should -Throw '*i/N*'
    }

    It 'three shards in any order, then Complete-MimicDataset, give the unsharded stores; Complete reports missing shards first' {
        $cfg = New-MimicConfig 'sharded'
        Invoke-MimicDataset -Config $cfg -Shard 3/3 -Seed 1 -WarningAction SilentlyContinue | Out-Null
        $early = Complete-MimicDataset -Config $cfg -Seed 1 -ShardCount 3 -ErrorVariable missing -ErrorAction SilentlyContinue
        $early.Completed | Should -BeFalse
        # Shards 1/3 and 2/3 have outputs to make unless all their targets are questionable.
        $early.UnfinishedShards.Count | Should -BeGreaterThan 0
        $early.UnfinishedShards.Index | Should -Not -Contain 3
        foreach ($s in $early.UnfinishedShards) { "$missing" | Should -Match "shard $s`: " }
        Test-Path (Join-Path $script:Root 'sharded/mimic_1/hdu-index.fits.gz') | Should -BeFalse
        Invoke-MimicDataset -Config $cfg -Shard 1/3 -Seed 1 -WarningAction SilentlyContinue | Out-Null
        Invoke-MimicDataset -Config $cfg -Shard '2/3' -Seed 1 -WarningAction SilentlyContinue | Out-Null
        # Without -Seed: the seed the shards recorded (1), not the default 0.
        (Complete-MimicDataset -Config $cfg -ShardCount 3).Completed | Should -BeTrue
        Assert-SameStores (Join-Path $script:Root 'whole') (Join-Path $script:Root 'sharded')
    }
}

Describe 'Stopping a campaign' {
    It 'Select-Object -First stops Get-Run over a store' {
        $first = Get-Run -DataStore (Join-Path $script:Root 'search') | Select-Object -First 2
        $first.Count | Should -Be 2
    }

    It 'a stop in the session (what Ctrl+C does at the prompt) ends New-SimulatedDataStore within a second and no file is written after it' {
        $folder = Join-Path $script:Root 'stopped-sim'
        $ps = [PowerShell]::Create()
        $null = $ps.AddCommand('Import-Module').AddArgument($script:Manifest).AddStatement().
            AddCommand('New-SimulatedDataStore').AddParameter('Path', $folder).AddParameter('RunCount', 400).AddParameter('EventsPerRun', 20000)
        $async = $ps.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddMinutes(2)
            while (-not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline -and
                @(Get-ChildItem $folder -Filter '*.fits.gz' -ErrorAction SilentlyContinue).Count -lt 2) { Start-Sleep -Milliseconds 20 }
            $async.IsCompleted | Should -BeFalse -Because 'the simulation must still be running when it is stopped'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Stop()
            $afterStop = @(Get-ChildItem $folder -Force).Name
            Start-Sleep -Seconds 2
            Write-Host "    stop: returned after $([Math]::Round($clock.Elapsed.TotalSeconds, 2)) s with $(@($afterStop).Count) of 400 runs written"
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            @(Get-ChildItem $folder -Force).Name | Should -Be $afterStop -Because 'nothing may go on writing after the command returned'
            $afterStop | Where-Object { $_ -like '*.tmp' -or $_ -like '*-index*' } | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }

    It 'a child pwsh that receives SIG<Signal> mid-campaign exits within seconds, leaves no temp file, and a rerun gives the uninterrupted stores' -ForEach @(@{ Signal = 'INT' }, @{ Signal = 'TERM' }) {
        if (-not (Get-Command setsid -ErrorAction SilentlyContinue)) { Set-ItResult -Skipped -Because 'SKIPPED: setsid (util-linux) is not installed'; return }
        # A background campaign long enough to be interrupted: 24 runs, models from the runs themselves, one at a time.
        $store = Join-Path $script:Root "sig$Signal-runs"
        New-SimulatedDataStore -Path $store -RunCount 24 -EventsPerRun 20000 -Seed 5 | Out-Null
        function New-BkgConfig([string] $Name) {
            $cfg = New-GammapyToolsConfig
            $cfg.io.in_dir = $store
            $cfg.io.out_dir = Join-Path $script:Root $Name
            $cfg.io.from_run = $true
            $path = Join-Path $script:Root "$Name.yaml"
            $cfg | Export-GammapyToolsConfig -Path $path
            $path
        }
        $whole = New-BkgConfig "sig$Signal-whole"
        Invoke-MakeBackground -Config $whole -Catalog @() -WarningAction SilentlyContinue | Out-Null

        $stopped = New-BkgConfig "sig$Signal-stopped"
        $out = Join-Path $script:Root "sig$Signal-stopped"
        $command = "Import-Module '$script:Manifest'; Invoke-MakeBackground -Config '$stopped' -Catalog @() -ThrottleLimit 1 -WarningAction SilentlyContinue | Out-Null"
        # As a terminal does: the child in its own session (process group) with SIGINT at its default
        # (a child of a non-interactive shell inherits SIGINT ignored), then SIGINT to the whole group.
        $arguments = @('--default-signal=INT', $script:Exe) + $script:ExeArgs + @('-NoProfile', '-NonInteractive', '-Command', $command)
        $startInfo = [Diagnostics.ProcessStartInfo]::new('setsid')
        foreach ($a in @('env') + $arguments) { $startInfo.ArgumentList.Add($a) }
        $child = [Diagnostics.Process]::Start($startInfo)
        try {
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not $child.HasExited -and [DateTime]::UtcNow -lt $deadline -and
                @(Get-ChildItem $out -Filter '*.fits.gz' -ErrorAction SilentlyContinue | Where-Object Name -notlike '.*').Count -lt 2) {
                Start-Sleep -Milliseconds 20
            }
            $child.HasExited | Should -BeFalse -Because 'the campaign must still be running when it is interrupted (make it longer if this fails)'
            $pgid = ((Get-Content "/proc/$($child.Id)/stat" -Raw) -replace '^.*\) ', '').Split(' ')[2]
            $pgid | Should -Be "$($child.Id)" -Because 'setsid makes the child a process-group leader'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            & kill "-$Signal" -- "-$pgid"
            $exited = $child.WaitForExit(10000)
            $clock.Stop()
            $exited | Should -BeTrue -Because "SIG$Signal must end the process"
            $written = @(Get-ChildItem $out -Filter '*.fits.gz' | Where-Object Name -notlike '.*').Count
            Write-Host "    SIG$($Signal): child exited after $([Math]::Round($clock.Elapsed.TotalSeconds, 2)) s with $written of 24 runs written"
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $written | Should -BeLessThan 24
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) } }

        @(Get-ChildItem $out -Force -Recurse -Filter '*.tmp') | Should -BeNullOrEmpty -Because 'writes in flight are abandoned with their temp files'
        Test-Path (Join-Path $out 'hdu-index.fits.gz') | Should -BeFalse -Because 'an interrupted campaign writes no index'
        Invoke-MakeBackground -Config $stopped -Catalog @() -WarningAction SilentlyContinue | Out-Null
        Assert-SameStores (Join-Path $script:Root "sig$Signal-whole") $out
    }
}

Describe 'Submit-MimicCampaign' {
    It 'with -WhatIf writes the array and completion scripts with absolute paths and submits nothing' {
        $cfg = New-MimicConfig 'whatif'
        $jobs = @(Submit-MimicCampaign -Config $cfg -Tasks 3 -Seed 1 -Partition debug -TimeLimit 0:30:00 -ExtraSbatchArgument '--mem=1G' -WhatIf 6>$null)
        $jobs.Role | Should -Be 'shards', 'complete'
        $jobs | Where-Object JobId | Should -BeNullOrEmpty
        $text = Get-Content $jobs[0].Script -Raw
        $text | Should -Match '#SBATCH --array=1-3'
        $text | Should -Match '#SBATCH --partition=debug'
        $text | Should -Match '#SBATCH --mem=1G'
        $text | Should -Match ([regex]::Escape("'$script:Exe'"))
        $text | Should -Match ([regex]::Escape("Import-Module '$script:Manifest'"))
        $text | Should -Match "Invoke-MimicDataset .*-Shard '\$\{shard\}'"
        (Get-Content $jobs[1].Script -Raw) | Should -Match 'Complete-MimicDataset .*-ShardCount 3'
        Split-Path $jobs[0].Script | Should -Be (Join-Path $script:Root 'whatif/slurm')
        Test-Path (Join-Path $script:Root 'whatif/slurm/mimic-jobs.txt') | Should -BeFalse
        & bash -n $jobs[0].Script; $LASTEXITCODE | Should -Be 0
        & bash -n $jobs[1].Script; $LASTEXITCODE | Should -Be 0
    }

    It 'runs a 3-task campaign on the real Slurm with -Wait and gives the unsharded stores; a rerun submits nothing' {
        if (-not (Test-SlurmUp)) { return }
        $cfg = New-MimicConfig 'slurm'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $jobs = @(Submit-MimicCampaign -Config $cfg -Tasks 3 -Seed 1 -TimeLimit 0:20:00 -Wait -PollSeconds 1 -ErrorVariable failures)
        Write-Host "    Slurm: 3 tasks + completion in $([Math]::Round($clock.Elapsed.TotalSeconds, 1)) s (jobs $($jobs.JobId -join ', '))"
        $failures | Should -BeNullOrEmpty
        $jobs.State | Should -Be 'Completed', 'Completed'
        $jobs[1].DependsOn | Should -Be $jobs[0].JobId
        foreach ($i in 1..3) { Test-Path (Join-Path $script:Root "slurm/slurm/mimic-shard-$i-of-3.log") | Should -BeTrue }
        Assert-SameStores (Join-Path $script:Root 'whole') (Join-Path $script:Root 'slurm') -Exclude 'slurm'
        @(Submit-MimicCampaign -Config $cfg -Tasks 3 -Seed 1) | Should -BeNullOrEmpty -Because 'every shard and the completion are done'
    }

    It 'reports a failed shard with its log tail, cancels the completion, and a rerun resubmits only that shard' {
        if (-not (Test-SlurmUp)) { return }
        # A target with outputs, and its shard: a folder in the place of its mimic_1 file makes that shard fail.
        $withOutput = @(Get-ChildItem (Join-Path $script:Root 'whole/mimic_1') -Filter '*.fits.gz' | Where-Object Name -notlike '*-index*')[0]
        $position = [Array]::IndexOf($script:MimicTargets, [long]($withOutput.Name -replace '\..*$', ''))
        $position | Should -BeGreaterOrEqual 0
        $shard = $position % 3 + 1
        $cfg = New-MimicConfig 'slurm-retry'
        $blocker = New-Item -ItemType Directory -Path (Join-Path $script:Root "slurm-retry/mimic_1/$($withOutput.Name)")
        $jobs = @(Submit-MimicCampaign -Config $cfg -Tasks 3 -Seed 1 -Wait -PollSeconds 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
        $jobs.State | Should -Be 'Failed', 'Failed'
        "$($jobs[0].FailedShards)" | Should -Be "$shard/3"
        $failures.FullyQualifiedErrorId | Should -Be 'SlurmTaskFailed,GammapyTools.PowerShell.Cmdlets.SubmitMimicCampaignCommand', 'SlurmCompletionFailed,GammapyTools.PowerShell.Cmdlets.SubmitMimicCampaignCommand'
        "$($failures[0])" | Should -Match ([regex]::Escape($withOutput.Name)) -Because 'the log tail names the file that could not be written'

        Remove-Item $blocker
        $again = @(Submit-MimicCampaign -Config $cfg -Tasks 3 -Seed 1 -Wait -PollSeconds 1 -ErrorVariable failures2)
        $failures2 | Should -BeNullOrEmpty
        "$($again[0].Shards)" | Should -Be "$shard/3" -Because 'only the failed shard is resubmitted'
        $again.State | Should -Be 'Completed', 'Completed'
        Assert-SameStores (Join-Path $script:Root 'whole') (Join-Path $script:Root 'slurm-retry') -Exclude 'slurm'
    }
}
