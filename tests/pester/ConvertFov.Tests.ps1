# Pester tests of Convert-Fov on the real H.E.S.S. and MAGIC files in tests/data.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestData.ps1')
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Convert-Fov' {
    It 'converts Run objects from the pipeline and emits the new run with the target''s OBS_ID and pointing' {
        $dest = New-TempDir
        $target = Get-Run -Path $script:MagicFiles[0].FullName
        $out = @(Get-Run -Path $script:HessFiles[0].FullName | Convert-Fov -Target $target -Destination $dest)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType 'GammapyTools.Dl3.Run'
        $out[0].ObsId | Should -Be $target.ObsId
        $out[0].RaPnt | Should -Be $target.RaPnt
        $out[0].DecPnt | Should -Be $target.DecPnt
        $out[0].Path | Should -Be (Join-Path $dest $script:MagicFiles[0].Name)
        $out[0].BackgroundClass | Should -Be 'bkg_3d'
    }

    It 'takes files from Get-ChildItem by property name and the target as a path' {
        $dest = New-TempDir
        $out = @($script:MagicFiles[1] | Convert-Fov -Target $script:HessFiles[1].FullName -Destination $dest -CopyBackground)
        $out.Count | Should -Be 1
        $out[0].ObsId | Should -Be 23526
        $out[0].BackgroundClass | Should -Be 'bkg_3d'
    }

    It 'writes to an explicit -OutputPath and refuses to overwrite it without -Force' {
        $dest = New-TempDir
        $file = Join-Path $dest 'mimic.fits.gz'
        $run = Get-Run -Path $script:HessFiles[0].FullName
        $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath $file | Out-Null
        Test-Path $file | Should -BeTrue
        $before = (Get-FileHash $file).Hash
        $out = $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath $file -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputExists*'
        "$err" | Should -BeLike '*-Force*'
        $run | Convert-Fov -Target $script:HessFiles[1].FullName -OutputPath $file -Force | Should -Not -BeNullOrEmpty
        (Get-FileHash $file).Hash | Should -Be $before   # the same conversion gives the same bytes
    }

    It 'writes nothing with -WhatIf' {
        $dest = New-TempDir
        Get-Run -Path $script:HessFiles[0].FullName | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination $dest -WhatIf
        @(Get-ChildItem $dest -Force).Count | Should -Be 0
    }

    It 'reports a bad run as a non-terminating error naming the file and converts the others' {
        $dest = New-TempDir
        $bad = Join-Path $dest 'broken.fits'
        Set-Content -Path $bad -Value 'this is not FITS'
        $out = @($bad, $script:HessFiles[0].FullName | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination (Join-Path $dest 'out') -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 1
        "$err" | Should -BeLike '*broken.fits*'
    }

    It 'scrambles a catalog source reproducibly with -Seed' {
        $dest = New-TempDir
        $catalog = Join-Path $script:RepoRoot 'tests/data/catalogs/gammacat.fits.gz'
        $args1 = @{ Target = $script:MagicFiles[0].FullName; ScramblePoint = 'Crab Nebula'; ScrambleTheta = 0.2; Catalog = $catalog; Seed = 7 }
        $a = $script:HessFiles[0] | Convert-Fov @args1 -OutputPath (Join-Path $dest 'a.fits')
        $b = $script:HessFiles[0] | Convert-Fov @args1 -OutputPath (Join-Path $dest 'b.fits')
        (Get-FileHash $a.Path).Hash | Should -Be (Get-FileHash $b.Path).Hash
        $c = $script:HessFiles[0] | Convert-Fov @args1 -OutputPath (Join-Path $dest 'c.fits') -Seed 8
        (Get-FileHash $c.Path).Hash | Should -Not -Be (Get-FileHash $a.Path).Hash
    }

    It 'stops with a clear message for mismatched scramble radii and unknown names' {
        $dest = New-TempDir
        { $script:HessFiles[0] | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination $dest -ScramblePoint '83.6 22.0', '84 22.5' -ScrambleTheta 0.1, 0.2, 0.3 -ErrorAction Stop } |
            Should -Throw '*2 scramble point(s) but 3 radii*'
        $catalog = Join-Path $script:RepoRoot 'tests/data/catalogs/gammacat.fits.gz'
        { $script:HessFiles[0] | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination $dest -ScramblePoint 'Crab Nebulla' -ScrambleTheta 0.2 -Catalog $catalog -ErrorAction Stop } |
            Should -Throw '*close matches*'
    }

    It 'reports a source outside the field of view as an error naming the run' {
        $dest = New-TempDir
        $out = $script:HessFiles[0] | Convert-Fov -Target $script:MagicFiles[0].FullName -Destination $dest -ScramblePoint '120 -40' -ScrambleTheta 0.2 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        "$err" | Should -BeLike '*outside the field of view*'
        "$err" | Should -BeLike '*023523*'
    }

    It 'needs exactly one of -Destination and -OutputPath' {
        { $script:HessFiles[0] | Convert-Fov -Target $script:MagicFiles[0].FullName -ErrorAction Stop } | Should -Throw '*-Destination*'
    }

    It 'has help with examples' {
        $help = Get-Help Convert-Fov -Full
        $help.Synopsis | Should -BeLike '*field of view*'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'Export-ScrambleDiagnostic' {
    It 'writes a PNG for a scrambled run from the pipeline and refuses to overwrite it without -Force' {
        $dest = New-TempDir
        $catalog = Join-Path $script:RepoRoot 'tests/data/catalogs/gammacat.fits.gz'
        $original = Get-Run -Path $script:HessFiles[0].FullName
        $mimic = $original | Convert-Fov -Target $script:MagicFiles[0].FullName -OutputPath (Join-Path $dest 'mimic.fits') -ScramblePoint 'Crab Nebula' -ScrambleTheta 0.2 -Catalog $catalog -Seed 3
        $png = Join-Path $dest 'scramble.png'
        $file = $mimic | Export-ScrambleDiagnostic -Original $original -Path $png
        $file | Should -BeOfType 'System.IO.FileInfo'
        $file.Length | Should -BeGreaterThan 20000
        [IO.File]::ReadAllBytes($png)[1..3] | Should -Be @(0x50, 0x4E, 0x47)
        $mimic | Export-ScrambleDiagnostic -Original $original -Path $png -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        "$err" | Should -BeLike '*-Force*'
        $mimic | Export-ScrambleDiagnostic -Original $original.Path -Path $png -Force | Should -Not -BeNullOrEmpty
    }
}

Describe 'Files without HDUCLAS keys (CTA 1DC style)' {
    BeforeAll {
        # A CTA-1DC-like file: a H.E.S.S. DR1 file of tests/data with every HDUCLAS key removed
        # (GADF EXTNAMEs EVENTS, GTI, AEFF, EDISP, PSF, BKG remain), written by the module's FitsWriter.
        function New-WithoutClassKeys([string] $Source, [string] $Path, [scriptblock] $Edit) {
            $f = [GammapyTools.Fits.FitsFile]::Open($Source)
            try { $hdus = [System.Collections.Generic.List[GammapyTools.Fits.Hdu]]::new($f.ReadAll()) } finally { $f.Dispose() }
            foreach ($h in $hdus) { foreach ($k in 'HDUCLASS', 'HDUCLAS1', 'HDUCLAS2', 'HDUCLAS3', 'HDUCLAS4', 'HDUDOC', 'HDUVERS') { $h.Header.Remove($k) | Out-Null } }
            if ($Edit) { & $Edit $hdus }
            [GammapyTools.Fits.FitsWriter]::Write($Path, $hdus, $true)
            $Path
        }
        $script:CtaDir = New-TempDir
        $script:Cta = New-WithoutClassKeys $script:HessFiles[0].FullName (Join-Path $script:CtaDir 'cta_like.fits') $null
    }

    It 'Get-Run reads it by its EXTNAMEs' {
        $run = Get-Run -Path $script:Cta
        $run.ObsId | Should -Be 23523
        $run.BackgroundClass | Should -Be 'bkg_3d'
        @($run.Hdus.HduType) | Should -Be @('events', 'gti', 'aeff', 'edisp', 'psf', 'bkg')
    }

    It 'Convert-Fov converts it as background run and as target' {
        $dest = New-TempDir
        $out = Get-Run -Path $script:Cta | Convert-Fov -Target $script:HessFiles[1].FullName -Destination $dest -CopyBackground
        $out.ObsId | Should -Be 23526
        @($out.Hdus.HduType) | Should -Be @('events', 'gti', 'aeff', 'edisp', 'psf', 'bkg')
        $dest2 = New-TempDir
        $out2 = Convert-Fov -Path $script:HessFiles[1].FullName -Target $script:Cta -Destination $dest2 -CopyBackground
        $out2.ObsId | Should -Be 23523
        $out2.BackgroundClass | Should -Be 'bkg_3d'
    }

    It 'names the file and both HDUs when it has two EVENTS tables' {
        $two = New-WithoutClassKeys $script:HessFiles[0].FullName (Join-Path $script:CtaDir 'two_events.fits') { param($h) $h.Add($h[1]) }
        $err = $null
        Get-Run -Path $two -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        "$($err[0])" | Should -Match 'two_events\.fits'
        "$($err[0])" | Should -Match '#1 EVENTS.*#7 EVENTS'
    }
}
