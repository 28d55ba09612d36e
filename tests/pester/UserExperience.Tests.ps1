# Pester tests of what a user meets at the prompt (issue 10): several background runs for one
# target, default scramble radius, catalog discovery under $GAMMAPY_DATA, config typos,
# progress that tells time left and is completed when the pipeline stops early.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestData.ps1')
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Convert-Fov with several background runs for one target' {
    It 'writes each background run to its own file named after the target and the background run, never overwriting within one call' {
        $dest = New-TempDir
        $target = Get-Run -Path $script:MagicFiles[0].FullName
        $out = @(Get-Run -Path $script:HessFiles.FullName | Convert-Fov -Target $target -Destination $dest -ErrorVariable err)
        $err.Count | Should -Be 0
        $out.Count | Should -Be 2
        $stem = $script:MagicFiles[0].BaseName
        $names = @(Get-ChildItem $dest -File | Sort-Object Name | ForEach-Object Name)
        $names | Should -Be @("${stem}_bkg23523.fits", "${stem}_bkg23526.fits")
        # each file holds the events of its own background run, re-pointed onto the target
        foreach ($run in $out) {
            $run.ObsId | Should -Be $target.ObsId
            $run.RaPnt | Should -Be $target.RaPnt
        }
        ($out | ForEach-Object Path | Sort-Object -Unique).Count | Should -Be 2
        (Get-FileHash (Join-Path $dest $names[0])).Hash | Should -Not -Be (Get-FileHash (Join-Path $dest $names[1])).Hash
    }

    It 'keeps the target''s file name for a single background run and the .gz of a gzipped target' {
        $dest = New-TempDir
        $out = Get-Run -Path $script:MagicFiles[0].FullName | Convert-Fov -Target $script:HessFiles[0].FullName -Destination $dest
        $out.Path | Should -Be (Join-Path $dest $script:HessFiles[0].Name)
        $dest2 = New-TempDir
        $out2 = @(Get-Run -Path $script:MagicFiles.FullName | Convert-Fov -Target $script:HessFiles[0].FullName -Destination $dest2)
        $out2.Count | Should -Be 2
        $out2 | ForEach-Object { [IO.Path]::GetFileName($_.Path) } | Sort-Object |
            Should -Be @('hess_dl3_dr1_obs_id_023523_bkg5029747.fits.gz', 'hess_dl3_dr1_obs_id_023523_bkg5029748.fits.gz')
    }

    It 'refuses -OutputPath with more than one background run before writing anything' {
        $dest = New-TempDir
        $file = Join-Path $dest 'mimic.fits'
        { Get-Run -Path $script:HessFiles.FullName | Convert-Fov -Target $script:MagicFiles[0].FullName -OutputPath $file -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*-OutputPath names one file, but 2 background runs*'
        @(Get-ChildItem $dest -Force).Count | Should -Be 0
    }

    It 'refuses the same background run given twice before writing anything' {
        $dest = New-TempDir
        $run = Get-Run -Path $script:HessFiles[0].FullName
        { $run, $run | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination $dest -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*background run 23523 was given 2 times*'
        @(Get-ChildItem $dest -Force).Count | Should -Be 0
    }
}

Describe 'Convert-Fov default scramble radius' {
    It 'scrambles with 0.3 degrees when -ScrambleTheta is not given (same file as an explicit 0.3)' {
        $dest = New-TempDir
        $run = Get-Run -Path $script:HessFiles[0].FullName
        $a = $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath (Join-Path $dest 'a.fits') -ScramblePoint '83.633 22.0145' -Seed 3
        $b = $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath (Join-Path $dest 'b.fits') -ScramblePoint '83.633 22.0145' -ScrambleTheta 0.3 -Seed 3
        $c = $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath (Join-Path $dest 'c.fits') -ScramblePoint '83.633 22.0145' -ScrambleTheta 0.2 -Seed 3
        (Get-FileHash $a.Path).Hash | Should -Be (Get-FileHash $b.Path).Hash
        (Get-FileHash $a.Path).Hash | Should -Not -Be (Get-FileHash $c.Path).Hash
    }

    It 'rejects a radius outside [0, 90] at parameter binding' {
        { Get-Run -Path $script:HessFiles[0].FullName | Convert-Fov -Target $script:HessFiles[1].FullName -Destination (New-TempDir) -ScramblePoint '83.6 22.0' -ScrambleTheta 120 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Catalog discovery under $GAMMAPY_DATA' {
    BeforeEach { $script:SavedGammapyData = $env:GAMMAPY_DATA }
    AfterEach { $env:GAMMAPY_DATA = $script:SavedGammapyData }

    It 'finds catalogs lying flat in $GAMMAPY_DATA/catalogs (as in ../shared/data/catalogs)' {
        $root = New-TempDir
        New-Item -ItemType Directory (Join-Path $root 'catalogs') | Out-Null
        Copy-Item (Join-Path $script:Catalogs 'gammacat.fits.gz') (Join-Path $root 'catalogs')
        $env:GAMMAPY_DATA = $root
        $dest = New-TempDir
        $out = Get-Run -Path $script:HessFiles[0].FullName |
            Convert-Fov -Target $script:HessFiles[1].FullName -Destination $dest -ScramblePoint 'Crab' -Seed 1 -WarningVariable warn -WarningAction SilentlyContinue
        $out | Should -Not -BeNullOrEmpty
        # gamma-cat was found; the two catalogs that are not there are named with where they were looked for
        @($warn | Where-Object { "$_" -like 'gamma-cat*' }).Count | Should -Be 0
        @($warn | Where-Object { "$_" -like '3HWC catalog not found; looked for*3HWC.ecsv*' }).Count | Should -Be 1
    }

    It 'finds catalogs in the gammapy-data layout' {
        $root = New-TempDir
        New-Item -ItemType Directory (Join-Path $root 'catalogs/gammacat') | Out-Null
        Copy-Item (Join-Path $script:Catalogs 'gammacat.fits.gz') (Join-Path $root 'catalogs/gammacat')
        Copy-Item (Join-Path $script:Catalogs '3HWC.ecsv') (Join-Path $root 'catalogs')
        Copy-Item (Join-Path $script:Catalogs 'Hipparcos_MAG8_1997.dat') (Join-Path $root 'catalogs')
        $env:GAMMAPY_DATA = $root
        $out = Get-Run -Path $script:HessFiles[0].FullName |
            Convert-Fov -Target $script:HessFiles[1].FullName -Destination (New-TempDir) -ScramblePoint 'Crab' -Seed 1 -WarningVariable warn
        $out | Should -Not -BeNullOrEmpty
        $warn.Count | Should -Be 0
    }

    It 'warns, naming where it looked, when no catalog is found' {
        $env:GAMMAPY_DATA = New-TempDir
        $failure = $null
        try {
            $null = Get-Run -Path $script:HessFiles[0].FullName |
                Convert-Fov -Target $script:HessFiles[1].FullName -Destination (New-TempDir) -ScramblePoint 'Crab' -WarningVariable warn -WarningAction SilentlyContinue
        }
        catch { $failure = $_ }
        "$failure" | Should -BeLike "*no source named 'Crab'*"
        @($warn | Where-Object { "$_" -like "gamma-cat catalog not found; looked for $($env:GAMMAPY_DATA)*gammacat*gammacat.fits.gz and *" }).Count | Should -Be 1
    }

    It 'warns once per session, not once per call, in a loop' {
        $env:GAMMAPY_DATA = New-TempDir
        $all = @()
        foreach ($i in 1..3) {
            try {
                $null = Get-Run -Path $script:HessFiles[0].FullName |
                    Convert-Fov -Target $script:HessFiles[1].FullName -Destination (New-TempDir) -ScramblePoint 'Crab' -WarningVariable warn -WarningAction SilentlyContinue
            }
            catch { "$_" | Should -BeLike "*no source named 'Crab'*" }
            $all += @($warn)
        }
        @($all | Where-Object { "$_" -like "gamma-cat catalog not found; looked for $($env:GAMMAPY_DATA)*" }).Count | Should -Be 1
        @($all | Where-Object { "$_" -like "Hipparcos star list catalog not found; looked for $($env:GAMMAPY_DATA)*" }).Count | Should -Be 1
        # Later calls still say it with -Verbose.
        $verbose = $( try { $null = Get-Run -Path $script:HessFiles[0].FullName | Convert-Fov -Target $script:HessFiles[1].FullName -Destination (New-TempDir) -ScramblePoint 'Crab' -Verbose -WarningAction SilentlyContinue } catch { } ) 4>&1
        ($verbose | Out-String) | Should -Match 'gamma-cat catalog not found'
    }
}

Describe 'Progress' {
    It 'completes Get-Run''s progress bar when Select-Object -First stops the pipeline' {
        $store = New-TempDir
        New-SimulatedDataStore -Path $store -RunCount 60 -EventsPerRun 50 -Seed 2 | Out-Null
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path $script:RepoRoot 'GammapyTools.psd1')'; Get-Run -DataStore '$store' | Select-Object -First 2")
            $runs = $ps.Invoke()
            $runs.Count | Should -Be 2
            $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Get-Run')
            $records.Count | Should -BeGreaterThan 0
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    It 'tells the current item, percent and time remaining' {
        $store = New-TempDir
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path $script:RepoRoot 'GammapyTools.psd1')'; New-SimulatedDataStore -Path '$store' -RunCount 80 -EventsPerRun 2000 -Seed 2")
            $null = $ps.Invoke()
            $records = @($ps.Streams.Progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.PercentComplete -gt 0 -and $_.PercentComplete -lt 100 })
            $records.Count | Should -BeGreaterThan 0
            @($records | Where-Object SecondsRemaining -ge 0).Count | Should -BeGreaterThan 0
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Config typos' {
    BeforeAll {
        $script:TypoDir = New-TempDir
        $script:TypoFile = Join-Path $script:TypoDir 'analysis.yaml'
        $cfg = New-GammapyToolsConfig
        $cfg | Export-GammapyToolsConfig $script:TypoFile
        # a misspelt key, as users type them
        (Get-Content -Raw $script:TypoFile) -replace '(?m)^(\s+)n_mimic:', '$1n_mimc:' | Set-Content $script:TypoFile
    }

    It 'warns with "did you mean" for a misspelt key' {
        $cfg = Import-GammapyToolsConfig $script:TypoFile -WarningVariable warn -WarningAction SilentlyContinue
        $cfg | Should -Not -BeNullOrEmpty
        "$warn" | Should -BeLike '*unknown key background_selection.n_mimc; did you mean background_selection.n_mimic?*'
    }

    It 'makes unknown keys errors with -Strict, on import and on every config-driven command, before any work' {
        { Import-GammapyToolsConfig $script:TypoFile -Strict -ErrorAction Stop } | Should -Throw -ExpectedMessage '*n_mimc; did you mean background_selection.n_mimic?*strict mode*'
        $out = Join-Path $script:TypoDir 'out'
        $cfg = Import-GammapyToolsConfig $script:TypoFile -WarningAction SilentlyContinue
        $cfg.io.out_dir = $out
        { Invoke-MimicDataset -Config $cfg -Strict } | Should -Throw -ErrorId 'ConfigUnknownKey*'
        { Invoke-MakeBackground -Config $script:TypoFile -Strict -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'ConfigUnknownKey*'
        Test-Path $out | Should -BeFalse
    }

    It 'takes -Strict from $PSDefaultParameterValues' {
        $PSDefaultParameterValues['*:Strict'] = $true
        try { { Import-GammapyToolsConfig $script:TypoFile -ErrorAction Stop } | Should -Throw -ExpectedMessage '*strict mode*' }
        finally { $PSDefaultParameterValues.Remove('*:Strict') }
    }
}

Describe 'Tab completion' {
    BeforeAll {
        $script:CompletionStore = New-TempDir
        New-SimulatedDataStore -Path $script:CompletionStore -RunCount 12 -EventsPerRun 20 -Seed 5 | Out-Null
        $script:StoreIds = @((Get-Run -DataStore $script:CompletionStore).ObsId | ForEach-Object { "$_" })
        function Complete([string] $line) { @((TabExpansion2 $line).CompletionMatches) }
    }
    BeforeEach { $script:SavedGammapyData = $env:GAMMAPY_DATA }
    AfterEach { $env:GAMMAPY_DATA = $script:SavedGammapyData }

    It 'completes -ObsId from the index of the -DataStore typed, also relative to the current location' {
        (Complete "Get-Run -DataStore '$script:CompletionStore' -ObsId ").CompletionText | Should -Be $script:StoreIds
        $prefix = $script:StoreIds[0].Substring(0, $script:StoreIds[0].Length - 1)
        $expected = @($script:StoreIds | Where-Object { $_.StartsWith($prefix) })
        Push-Location $script:CompletionStore
        try { (Complete "Get-Run -DataStore . -ObsId $prefix").CompletionText | Should -Be $expected }
        finally { Pop-Location }
        Complete "Get-Run -DataStore ./no-such-store -ObsId " | Should -BeNullOrEmpty
    }

    It 'completes -ScramblePoint with catalog names, quoted when they hold spaces' {
        $m = Complete "Convert-Fov -Catalog '$(Join-Path $script:Catalogs 'gammacat.fits.gz')' -ScramblePoint crab"
        $m.CompletionText | Should -Contain "'Crab nebula'"
        ($m | Where-Object CompletionText -eq "'Crab nebula'").ToolTip | Should -BeLike '*RA 83.6*Dec 22.0*'
        $env:GAMMAPY_DATA = Split-Path $script:Catalogs   # tests/data: catalogs/ lie flat there
        (Complete "Export-ScrambleDiagnostic -ScramblePoint 'Crab").CompletionText | Should -Contain "'Crab nebula'"
    }

    It 'completes -Catalog with catalog files only' {
        $m = Complete "New-BackgroundModel -Catalog '$script:Catalogs/'"
        $names = @($m | ForEach-Object ListItemText)
        $names | Should -Contain 'gammacat.fits.gz'
        $names | Should -Contain '3HWC.ecsv'
        $names | Should -Not -Contain 'README.md'
    }

    It 'completes config keys on config objects' {
        $cfg = New-GammapyToolsConfig
        (Complete '$cfg.background_selection.n_m').CompletionText | Should -Contain 'n_mimic'
        (Complete '$cfg.bin').CompletionText | Should -Contain 'binning'
    }
}

Describe 'Pictures' {
    BeforeAll {
        $script:PicDir = New-TempDir
        $script:PicStore = Join-Path $script:PicDir 'sim'
        New-SimulatedDataStore -Path $script:PicStore -RunCount 8 -EventsPerRun 3000 -Seed 4 | Out-Null
        # What a person would see: the size asked for, and a picture that is not blank (many colours,
        # a good share of non-white pixels). SkiaSharp is loaded with the module.
        function Get-PngSummary([string] $Path) {
            $bitmap = [SkiaSharp.SKBitmap]::Decode($Path)
            try {
                $colours = [System.Collections.Generic.HashSet[uint32]]::new()
                $inked = 0
                for ($y = 0; $y -lt $bitmap.Height; $y += 3) {
                    for ($x = 0; $x -lt $bitmap.Width; $x += 3) {
                        $c = $bitmap.GetPixel($x, $y)
                        $null = $colours.Add([uint32]$c)
                        if ($c.Red -lt 240 -or $c.Green -lt 240 -or $c.Blue -lt 240) { $inked++ }
                    }
                }
                $samples = [math]::Ceiling($bitmap.Height / 3) * [math]::Ceiling($bitmap.Width / 3)
                [pscustomobject]@{ Width = $bitmap.Width; Height = $bitmap.Height; Colours = $colours.Count; InkedShare = $inked / $samples }
            }
            finally { $bitmap.Dispose() }
        }
    }

    It 'draws a bkg_2d model of a data-store run' {
        $files = @(Get-Run -DataStore $script:PicStore | Select-Object -First 2 | Export-BackgroundModelPlot -Destination (Join-Path $script:PicDir 'plots') -Width 1200 -Height 500)
        $files.Count | Should -Be 2
        $files[0].Name | Should -Match '^\d+_background\.png$'
        $s = Get-PngSummary $files[0].FullName
        $s.Width | Should -Be 1200
        $s.Height | Should -Be 500
        $s.Colours | Should -BeGreaterThan 50
        $s.InkedShare | Should -BeGreaterThan 0.1
    }

    It 'draws the bkg_3d model of a H.E.S.S. run as FoV maps, and a model from New-BackgroundModel' {
        $png = Join-Path $script:PicDir 'hess.png'
        $file = Get-Run -Path $script:HessFiles[0].FullName | Export-BackgroundModelPlot -Path $png
        $s = Get-PngSummary $file.FullName
        $s.Width | Should -Be 1600
        $s.Colours | Should -BeGreaterThan 100
        $s.InkedShare | Should -BeGreaterThan 0.2
        $own = Get-Run -DataStore $script:PicStore | Select-Object -First 1 | New-BackgroundModel -FromRun -NoExclusion |
            Export-BackgroundModelPlot -Path (Join-Path $script:PicDir 'own.png')
        (Get-PngSummary $own.FullName).Colours | Should -BeGreaterThan 50
    }

    It 'refuses a second model for one -Path and an existing file without -Force' {
        $png = Join-Path $script:PicDir 'one.png'
        $out = @(Get-Run -DataStore $script:PicStore | Select-Object -First 2 | Export-BackgroundModelPlot -Path $png -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathForSeveralModels*'
        Get-Run -DataStore $script:PicStore | Select-Object -First 1 | Export-BackgroundModelPlot -Path $png -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'OutputExists*'
    }

    It 'draws the KL ranking of Get-KlDivergence output' {
        $runs = @(Get-Run -DataStore $script:PicStore)
        $file = $runs | Get-KlDivergence -Reference $runs[0] | Export-KlDivergencePlot (Join-Path $script:PicDir 'kl.png') -Title 'KL'
        $s = Get-PngSummary $file.FullName
        $s.Width | Should -Be 1200
        $s.Height | Should -Be 600
        $s.InkedShare | Should -BeGreaterThan 0.02
        { @() | Export-KlDivergencePlot (Join-Path $script:PicDir 'none.png') -ErrorAction Stop } | Should -Throw -ErrorId 'NothingToPlot*'
    }

    It 'draws the scramble diagnostic with labelled colour bars' {
        $before = Get-Run -Path $script:HessFiles[0].FullName
        $mimic = $before | Convert-Fov -Target $script:HessFiles[1].FullName -Destination (Join-Path $script:PicDir 'mimic') -ScramblePoint '83.633 22.0145' -Seed 1
        $file = Export-ScrambleDiagnostic -Original $before -Scrambled $mimic -Path (Join-Path $script:PicDir 'scramble.png')
        $s = Get-PngSummary $file.FullName
        $s.Width | Should -Be 1800
        $s.Colours | Should -BeGreaterThan 100
    }
}
