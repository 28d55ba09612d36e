# Pester tests of New/Import/Export-GammapyToolsConfig and Get-KlDivergence.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    $script:Hess = Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data'
    $script:Magic = Join-Path $script:RepoRoot 'tests/data/magic-rad-max'

    function New-TempDir {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        $dir
    }
    $script:Yaml = @'
io:
    search_datastore : "store/"
    in_dir : "/data/crab/"
    out_dir : "./out/"
    from_run : False
binning:
    e_min: 0.1
    e_max: 100
    e_bins: 10
background_selection:
    nsb_diff : 1.5
    el_diff : 1
    n_tel : 3
    KL_DIV: true
    my_extra: [1, 2]
results_file: 'results.yaml'
'@
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'New-GammapyToolsConfig' {
    It 'returns the template with the gammapy-tools defaults, edited with the YAML key names' {
        $cfg = New-GammapyToolsConfig
        $cfg | Should -BeOfType 'GammapyTools.Config.GammapyToolsConfig'
        $cfg.background_selection.n_mimic | Should -Be 5
        # the template's values as gammapy-tools' get_config() gives them (not docs/config.md's)
        $cfg.background_selection.nsb_diff | Should -Be 1.5
        $cfg.background_selection.el_diff | Should -Be 1
        $cfg.background_selection.smooth | Should -BeTrue
        $cfg.background_selection.smooth_sigma | Should -Be 1
        $cfg.background_selection.same_szn | Should -BeTrue
        $cfg.background_selection.time_request | Should -Be 50
        $cfg.background_selection.store_KL | Should -BeFalse
        $cfg.config.njobs | Should -Be 16
        $cfg.binning.e_bins | Should -Be 10
        $cfg.background_selection.n_mimic = 3
        $cfg.background_selection.n_mimic | Should -Be 3
        $cfg.background_selection.n_mimic | Should -BeOfType [int]
    }

    It 'rejects a value of the wrong type, naming the key' {
        $cfg = New-GammapyToolsConfig
        { $cfg.background_selection.n_mimic = 'five' } | Should -Throw '*background_selection.n_mimic: expected an integer*'
    }
}

Describe 'Import-GammapyToolsConfig and Export-GammapyToolsConfig' {
    It 'round-trips a config, keeping unknown keys with a warning' {
        $dir = New-TempDir
        $in = Join-Path $dir 'analysis.yaml'
        Set-Content -Path $in -Value $script:Yaml
        $cfg = Import-GammapyToolsConfig $in -WarningVariable warns -WarningAction SilentlyContinue
        @($warns).Count | Should -Be 1
        "$warns" | Should -Match 'unknown key background_selection.my_extra'
        $cfg.io.search_datastore | Should -Be (Join-Path $dir 'store/')
        $cfg.background_selection.n_tel | Should -Be 3

        $out = Join-Path $dir 'sub/copy.yaml'
        $cfg | Export-GammapyToolsConfig $out
        $text = Get-Content $out -Raw
        $text | Should -Match 'my_extra: \[1, 2\]'
        $text | Should -Match 'search_datastore: "../store/"'
        $back = Import-GammapyToolsConfig $out -WarningAction SilentlyContinue
        $back.io.search_datastore | Should -Be $cfg.io.search_datastore
        $back.background_selection.Keys | Should -Be @($cfg.background_selection.Keys)
        $back.ToYaml($dir) | Should -Be $cfg.ToYaml($dir)
    }

    It 'writes nothing with -WhatIf and does not replace a file without -Force' {
        $dir = New-TempDir
        $path = Join-Path $dir 'template.yaml'
        New-GammapyToolsConfig | Export-GammapyToolsConfig $path -WhatIf
        Test-Path $path | Should -BeFalse
        @(Get-ChildItem $dir -Force).Count | Should -Be 0

        New-GammapyToolsConfig | Export-GammapyToolsConfig $path
        $before = Get-Content $path -Raw
        $cfg = New-GammapyToolsConfig
        $cfg.background_selection.n_mimic = 9
        $cfg | Export-GammapyToolsConfig $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $path -Raw | Should -Be $before
        $cfg | Export-GammapyToolsConfig $path -Force
        (Import-GammapyToolsConfig $path).background_selection.n_mimic | Should -Be 9
        @(Get-ChildItem $dir -Force).Count | Should -Be 1    # no temporary file left
    }

    It 'reports broken YAML with the file, line and column' {
        $dir = New-TempDir
        $path = Join-Path $dir 'broken.yaml'
        Set-Content -Path $path -Value "io:`n    in_dir: `"/data`"`n  out_dir: x"
        $cfg = Import-GammapyToolsConfig $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $cfg | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$errs" | Should -Match 'broken\.yaml, line 3, column \d+'
    }
}

Describe 'Get-KlDivergence' {
    It 'compares the H.E.S.S. bkg_3d models and returns them sorted by KL' {
        $runs = @(Get-Run -Path (Join-Path $script:Hess '*.fits.gz'))
        $ref = $runs | Where-Object ObsId -eq 23526
        $kl = @($runs | Get-KlDivergence -Reference $ref)
        $kl.Count | Should -Be 2
        $kl[0] | Should -BeOfType 'GammapyTools.Background.KlDivergenceResult'
        $kl.ObsId | Should -Be @(23526, 23523)
        $kl[0].KlDivergence | Should -Be 0
        $kl[1].KlDivergence | Should -BeGreaterThan 0
        $kl[1].Livetime | Should -BeGreaterThan 1000
        $kl[1].Path | Should -Be $runs[0].Path
        $kl[1].Run.ObsId | Should -Be 23523
        $sorted = @($kl | Sort-Object KlDivergence)
        $sorted.ObsId | Should -Be $kl.ObsId
    }

    It 'takes DL3 files by property name' {
        $ref = Get-Run -Path (Join-Path $script:Hess '*023523*')
        $kl = @(Get-ChildItem $script:Hess -Filter '*.fits.gz' | Get-KlDivergence -Reference $ref)
        $kl.ObsId | Should -Be @(23523, 23526)
    }

    It 'reports a run without a background model and still returns the others' {
        $ref = Get-Run -Path (Join-Path $script:Hess '*023523*')
        $runs = @(Get-Run -Path (Join-Path $script:Hess '*.fits.gz')) + @(Get-Run -Path (Join-Path $script:Magic '*.fits'))
        $kl = @($runs | Get-KlDivergence -Reference $ref -ErrorVariable errs -ErrorAction SilentlyContinue)
        $kl.Count | Should -Be 2
        $errs.Count | Should -Be 2
        "$($errs[0])" | Should -Match 'no background model'
    }

    It 'writes the KL table and reuses it' {
        $dir = New-TempDir
        $ref = Get-Run -Path (Join-Path $script:Hess '*023523*')
        $first = @(Get-Run -Path (Join-Path $script:Hess '*.fits.gz') | Get-KlDivergence -Reference $ref -TableDirectory $dir)
        Test-Path (Join-Path $dir '23523_kl.fits') | Should -BeTrue
        $second = @(Get-Run -Path (Join-Path $script:Hess '*.fits.gz') | Get-KlDivergence -Reference $ref -TableDirectory $dir)
        $second.FromTable | Should -Be @($true, $true)
        $second.KlDivergence | Should -Be $first.KlDivergence
    }
}
