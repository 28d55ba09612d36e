# Pester 5 tests of the GammapyTools module as users see it (manifest, cmdlets, help).
# Run via: dotnet pwsh ./build.ps1 -Task Test   (builds module/bin first)

BeforeDiscovery {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'GammapyTools.psd1') -Force
    # One test case per exported cmdlet, so a new cmdlet without help fails by name.
    $script:CmdletCases = @(Get-Command -Module GammapyTools -CommandType Cmdlet |
        ForEach-Object { @{ Name = $_.Name; Verb = $_.Verb } })
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = Join-Path $script:RepoRoot 'GammapyTools.psd1'
    Import-Module $script:ManifestPath -Force
}

AfterAll {
    Remove-Module GammapyTools -ErrorAction SilentlyContinue
}

Describe 'Module manifest' {
    It 'is a valid manifest' {
        { Test-ModuleManifest -Path $script:ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports at least one cmdlet' {
        (Get-Module GammapyTools).ExportedCmdlets.Count | Should -BeGreaterThan 0
    }

    It 'does not ship System.Management.Automation.dll' {
        Join-Path $script:RepoRoot 'module/bin/System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'has a well-formed MAML help source file' {
        $xml = Join-Path $script:RepoRoot 'module/bin/en-US/GammapyTools.PowerShell.dll-Help.xml'
        { [xml](Get-Content -Raw $xml) } | Should -Not -Throw
    }

    It 'loads the Run format view' {
        $view = Get-FormatData -TypeName 'GammapyTools.Dl3.Run'
        $view | Should -Not -BeNullOrEmpty
        $labels = $view.FormatViewDefinition[0].Control.Headers.Label
        $labels | Should -Contain 'ObsId'
        $labels | Should -Contain 'Live (s)'
    }

    It 'renders a Run as a table with the Run columns' {
        $run = [pscustomobject]@{
            PSTypeName = 'GammapyTools.Dl3.Run'; ObsId = 64080; Object = 'Crab'; RaPnt = 83.633; DecPnt = 22.514
            Zenith = 20.5; AzPnt = 180.25; NsbLevel = $null; NTels = 4; Livetime = 1234.7; DateObs = '2012-01-01'; Path = '/x'
        }
        $text = $run | Out-String -Width 200
        $text | Should -Match 'ObsId\s+Object\s+RA\s+Dec\s+Zen\s+Az\s+NSB\s+Tel\s+Live \(s\)\s+DateObs'
        $text | Should -Match '64080\s+Crab'
        $text | Should -Match '1\D?235'      # N0
        $text | Should -Not -Match 'Path'
    }

    It 'fits the default tables in 80 columns, one line a row, dates as yyyy-MM-dd HH:mm' {
        # The widest values a table meets: 7-digit MAGIC ids, long object names, negative declinations, hour-long runs.
        $runs = foreach ($i in 1..3) {
            [pscustomobject]@{
                PSTypeName = 'GammapyTools.Dl3.Run'; ObsId = 5029747 + $i; Object = 'RGB J0710+591 and more'; RaPnt = 359.999; DecPnt = -89.999
                Zenith = 89.9; AzPnt = 359.9; NsbLevel = 12.34; NTels = 4; Livetime = 3599.9; DateObs = [datetime]::new(2013, 10, 4, 4, 20, 59); Path = '/x'
            }
        }
        $lines = @(($runs | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because $_ }
        $lines.Count | Should -Be 5   # header, rule, one line per run
        $lines[2] | Should -Match '2013-10-04 04:20$'
        $lines[2] | Should -Match 'RGB J0710\+5'

        $results = foreach ($i in 1..2) {
            [pscustomobject]@{
                PSTypeName = 'GammapyTools.Mimic.MimicDatasetResult'; ObsId = 5029747 + $i; Questionable = 'large_kl'
                BackgroundRuns = @(5029701, 5029702, 5029703, 5029704, 5029705); DistinctBackgroundRuns = 5
                Error = [System.IO.IOException]::new('No space left on device while writing /some/very/long/path/mimic_3/run_005029748.fits.gz')
            }
        }
        $lines = @(($results | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because $_ }
        $lines.Count | Should -Be 4
    }
}

Describe 'Get-GammapyToolsVersion' {
    It 'returns a version object' {
        $v = Get-GammapyToolsVersion
        $v | Should -Not -BeNullOrEmpty
        @($v).Count | Should -Be 1
        $v.ModuleVersion | Should -Be (Get-Module GammapyTools).Version.ToString()
        $v.CoreVersion | Should -Not -Be '(not found)'
        $v.Runtime | Should -BeLike '.NET 10*'
    }

    It 'lists the module assemblies with -ListAssembly' {
        $a = Get-GammapyToolsVersion -ListAssembly
        $a.Name | Should -Contain 'GammapyTools.PowerShell'
        $a.Name | Should -Contain 'GammapyTools.Core'
    }

    It 'has full help with a synopsis and an example' {
        $help = Get-Help Get-GammapyToolsVersion -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without a MAML file pwsh makes up a synopsis from the syntax line.
        $help.Synopsis | Should -Not -BeLike 'Get-GammapyToolsVersion *'
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Parameters.Parameter.Name | Should -Contain 'ListAssembly'
    }
}

Describe 'Every exported cmdlet' {
    It '<Name> uses an approved verb' -ForEach $script:CmdletCases {
        (Get-Verb).Verb | Should -Contain $Verb
    }

    It '<Name> has MAML help with a synopsis, a description and at least one example' -ForEach $script:CmdletCases {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"   # auto-generated = no MAML entry
        $help.Description | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        @($help.Examples.Example)[0].Code | Should -Not -BeNullOrEmpty
    }
}

Describe 'Help as users read it' {
    It 'has the about_GammapyTools topic (workflow, cmdlets, examples folder) after import' {
        $text = Get-Help about_GammapyTools | Out-String
        $text | Should -Match 'THE WORKFLOW'
        $text | Should -Match 'Invoke-MimicDataset'
        $text | Should -Match 'THE EXAMPLES FOLDER'
    }

    It 'has the about_GammapyTools_Config topic listing every key of the compiled schema' {
        $text = Get-Help about_GammapyTools_Config | Out-String
        $text | Should -Not -Match '\{\{CONFIG_KEYS\}\}'
        foreach ($k in 'search_datastore', 'n_mimic', 'el_diff', 'off_bins', 'star_cat', 'runlist') { $text | Should -Match "\b$k\b" }
        $text | Should -Match 'n_mimic\s+Int\s+5'
    }

    It 'shows -WhatIf and -Confirm in the syntax of a writer, and plain type names' {
        $syntax = Get-Help Convert-Fov | Out-String -Width 400
        $syntax | Should -Match '\[-WhatIf\]'
        $syntax | Should -Match '\[-Confirm\]'
        $syntax | Should -Match '-Seed <Int64>'
        $syntax | Should -Not -Match 'Nullable'
        Get-Help Get-Run | Out-String -Width 400 | Should -Not -Match 'WhatIf'
    }

    It 'shows parameter defaults read from the compiled cmdlet' {
        (Get-Help New-SimulatedDataStore -Parameter EventsPerRun).defaultValue | Should -Be '10000'
        (Get-Help Convert-Fov -Parameter Force).defaultValue | Should -Be 'False'
        (Get-Help Convert-Fov -Parameter Seed).defaultValue | Should -Be 'None'
    }
}
