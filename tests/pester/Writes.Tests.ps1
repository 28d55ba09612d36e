# Pester tests of safe writing: only regular files are replaced, one campaign per out_dir (a killed
# holder frees it), no seed mixing, write errors per target, validation before any work.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Root = Join-Path $TestDrive 'writes'
    $script:Search = Join-Path $script:Root 'search'
    $runs = @(New-SimulatedDataStore -Path $script:Search -RunCount 16 -Seed 3 -EventsPerRun 500)
    $script:Targets = @($runs | Where-Object NTels -eq 4 | Select-Object -First 3).ObsId
    $script:Background = $runs | Where-Object { $_.ObsId -notin $script:Targets } | Select-Object -First 1

    # A mimic campaign config writing to $out; returns its path.
    function New-CampaignConfig([string] $out, [object[]] $runlist = $script:Targets) {
        $cfg = New-GammapyToolsConfig
        $cfg.io.search_datastore = $script:Search
        $cfg.io.in_dir = $script:Search
        $cfg.io.out_dir = $out
        Set-OpenMatching $cfg
        $cfg.background_selection.n_mimic = 2
        $cfg.run_selection.runlist = $runlist
        $path = "$out.yaml"
        $cfg | Export-GammapyToolsConfig -Path $path -Force
        $path
    }

    function Start-Child([string] $command) {
        $script = Join-Path $script:Root ("child-" + [guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content $script $command
        $exe = [Environment]::ProcessPath
        $arguments = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $arguments += Join-Path $PSHOME 'pwsh.dll' }
        $arguments += '-NoProfile', '-NonInteractive', '-File', $script
        Start-Process -FilePath $exe -ArgumentList $arguments -PassThru
    }
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Writers replace only regular files' {
    It 'refuses a FIFO and a directory with -Force, naming the path once, and leaves them as they were' {
        $fifo = Join-Path $script:Root 'out-fifo.fits'
        & mkfifo $fifo
        $dir = Join-Path $script:Root 'out-dir.fits'
        New-Item -ItemType Directory $dir | Out-Null
        $target = Get-Run -DataStore $script:Search -ObsId $script:Targets[0]
        foreach ($path in $fifo, $dir) {
            $script:Background | Convert-Fov -Target $target -OutputPath $path -Force -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -Match '^OutputNotAFile'
            $message = "$($errs[0])"
            $message | Should -Match 'not a regular file'
            ([regex]::Matches($message, [regex]::Escape($path))).Count | Should -Be 1
        }
        & stat -c %F $fifo | Should -Be 'fifo'   # (PowerShell's UnixMode shows a FIFO as '-')
        Test-Path $dir -PathType Container | Should -BeTrue
        @(Get-ChildItem $script:Root -Force -Filter '.*.tmp').Count | Should -Be 0
    }

    It 'refuses a character device (a copy of /dev/null made with mknod) with -Force and leaves it' {
        # Never /dev/null itself: a node of the same device in a scratch folder (mknod needs root).
        $dev = Join-Path $script:Root 'devices'
        New-Item -ItemType Directory $dev -Force | Out-Null
        $null = & mknod (Join-Path $dev 'null') c 1 3 2>&1
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'mknod needs root'; return }
        $node = Join-Path $dev 'null'
        $target = Get-Run -DataStore $script:Search -ObsId $script:Targets[0]
        $script:Background | Convert-Fov -Target $target -OutputPath $node -Force -ErrorVariable e1 -ErrorAction SilentlyContinue
        New-GammapyToolsConfig | Export-GammapyToolsConfig -Path $node -Force -ErrorVariable e2 -ErrorAction SilentlyContinue
        "$e1" | Should -Match 'character device, not a regular file'
        "$e2" | Should -Match 'character device, not a regular file'
        & stat -c %F $node | Should -Be 'character special file'
        @(Get-ChildItem $dev -Force -Filter '.*.tmp').Count | Should -Be 0
    }

    It 'replaces a symbolic link as a link and leaves its target untouched' {
        $targetFile = Join-Path $script:Root 'precious.yaml'
        Set-Content $targetFile 'precious: true'
        $link = Join-Path $script:Root 'link.yaml'
        New-Item -ItemType SymbolicLink -Path $link -Target $targetFile | Out-Null
        New-GammapyToolsConfig | Export-GammapyToolsConfig -Path $link -Force
        (Get-Item $link).LinkType | Should -BeNullOrEmpty
        Get-Content $targetFile | Should -Be 'precious: true'
        (Import-GammapyToolsConfig $link).background_selection.n_mimic | Should -Be 5
    }
}

Describe 'One campaign per out_dir' {
    It 'refuses a second campaign naming the holder, and a killed holder frees the folder' {
        $out = Join-Path $script:Root 'locked'
        $config = New-CampaignConfig $out
        $ready = Join-Path $script:Root 'holder-ready'
        # Another process holds out_dir's lock for another campaign (as a running Invoke-MakeBackground would).
        $child = Start-Child @"
Import-Module '$(Join-Path $script:RepoRoot 'GammapyTools.psd1')'
New-GammapyToolsConfig | Out-Null   # loads the core
`$held = [GammapyTools.Output.CampaignLock]::Acquire('$out', 'other-campaign', 'Invoke-MakeBackground, config other.yaml')
Set-Content '$ready' `$PID
Start-Sleep 120
"@
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $ready) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Test-Path $ready | Should -BeTrue
            $watch = [Diagnostics.Stopwatch]::StartNew()
            { Invoke-MimicDataset -Config $config -Seed 1 -ErrorAction Stop } | Should -Throw -ErrorId 'OutDirInUse*'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            try { Invoke-MimicDataset -Config $config -Seed 1 -ErrorAction Stop } catch { $err = $_ }
            "$err" | Should -Match "process $($child.Id) on host"
            "$err" | Should -Match 'other\.yaml'
            Test-Path (Join-Path $out 'mimic_1') | Should -BeFalse
            # The final steps too: at once (no waiting for another campaign), as ResourceBusy naming the holder.
            foreach ($complete in { Complete-MimicDataset -Config $config -Seed 1 -Timeout 60 -ErrorAction Stop }, { Complete-Background -Config $config -Timeout 60 -ErrorAction Stop }) {
                $watch.Restart()
                $err = $null
                try { & $complete } catch { $err = $_ }
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
                $err.FullyQualifiedErrorId | Should -BeLike 'OutDirInUse,*'
                $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
                $err.TargetObject | Should -Be $out
                "$err" | Should -Match "another campaign \(Invoke-MakeBackground, config other\.yaml; started by process $($child.Id) on host "
            }
            Test-Path (Join-Path $out 'mimic_1') | Should -BeFalse
        }
        finally {
            & kill -9 $child.Id   # no chance to release anything itself
            $child.WaitForExit()
        }
        $results = @(Invoke-MimicDataset -Config $config -Seed 1)
        $results.Count | Should -Be $script:Targets.Count
        $results | ForEach-Object { $_.Succeeded | Should -BeTrue }
    }

    It 'refuses a rerun with another seed unless -Force' {
        $out = Join-Path $script:Root 'seeded'
        $config = New-CampaignConfig $out
        Invoke-MimicDataset -Config $config -Seed 1 | Out-Null
        (Import-GammapyToolsConfig (Join-Path $out 'mimic_1/config.yaml')).background_selection.mimic_seed | Should -Be 1
        try { Invoke-MimicDataset -Config $config -Seed 2 -ErrorAction Stop } catch { $err = $_ }
        "$err" | Should -Match 'seed 1'
        "$err" | Should -Match '-Force'
        @(Invoke-MimicDataset -Config $config -Seed 2 -Force).Count | Should -Be $script:Targets.Count
        (Import-GammapyToolsConfig (Join-Path $out 'mimic_1/config.yaml')).background_selection.mimic_seed | Should -Be 2
    }
}

Describe 'Campaign errors' {
    It 'stops on an empty run list before any folder is made' {
        $out = Join-Path $script:Root 'empty'
        $config = New-CampaignConfig $out @()
        { Invoke-MimicDataset -Config $config -Seed 1 -ErrorAction Stop } | Should -Throw '*run list*is empty*'
        Test-Path $out | Should -BeFalse
    }

    It 'names a run-list item that is not a run number' {
        $config = New-CampaignConfig (Join-Path $script:Root 'bad-item')
        (Get-Content $config -Raw) -replace 'runlist: \[(\d+)', 'runlist: [$1, x7' | Set-Content $config
        { Invoke-MimicDataset -Config $config -Seed 1 -ErrorAction Stop } | Should -Throw "*item 2 of the run list, the string 'x7'*"
    }

    It 'refuses n_mimic 100000 with its line before any folder is made' {
        $out = Join-Path $script:Root 'huge'
        $config = New-CampaignConfig $out
        (Get-Content $config -Raw) -replace 'n_mimic: 2', 'n_mimic: 100000' | Set-Content $config
        { Invoke-MimicDataset -Config $config -Seed 1 -ErrorAction Stop } | Should -Throw '*line *n_mimic*at most 1000*'
        Test-Path $out | Should -BeFalse
    }

    It 'reports a full disk per target, keeps every result and says how many failed' {
        $out = Join-Path $script:Root 'full'
        New-Item -ItemType Directory $out | Out-Null
        & mount -t tmpfs -o size=300k tmpfs $out 2>$null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'a small tmpfs cannot be mounted here (needs root)'; return }
        try {
            $config = New-CampaignConfig $out
            $results = @(Invoke-MimicDataset -Config $config -Seed 1 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue)
            $results.Count | Should -Be $script:Targets.Count
            $failed = @($results | Where-Object { -not $_.Succeeded })
            $failed.Count | Should -BeGreaterThan 0
            "$($failed[0].Error.Message)" | Should -Match 'No space left on device'
            $errs.Count | Should -BeGreaterOrEqual $failed.Count
            "$warns" | Should -Match "$($failed.Count) failed"
            @(Get-ChildItem $out -Recurse -Force -Filter '.*.tmp').Count | Should -Be 0
        }
        finally { & umount $out }
    }
}
