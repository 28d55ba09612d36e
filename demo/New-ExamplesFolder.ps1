<#
.SYNOPSIS
    Makes the folder that every help example (Get-Help <cmdlet> -Examples) and the README tour are
    written for: run them with this folder as the current location.
.DESCRIPTION
    store/         60 simulated VERITAS-like runs (New-SimulatedDataStore -Seed 1): the search store
    src-bkg/       3 simulated runs pointed 0.5 degree from 1ES 1218+304, with that source in them
    hess/          the two H.E.S.S. DL3 DR1 runs of tests/data (23523, 23526), indexed
    catalogs/      gamma-cat, 3HWC and Hipparcos from tests/data/catalogs (terms in their README)
    analysis.yaml  a gammapy-tools config for store/: four targets, loosened cuts, the template's binning
    About 10 s; deterministic. tests/pester/Examples.Tests.ps1 runs every example in a copy of it.
.EXAMPLE
    ./demo/New-ExamplesFolder.ps1 -Path ~/gammapy-examples; Set-Location ~/gammapy-examples
#>
param([Parameter(Mandatory)] [string] $Path)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
if (-not (Get-Module GammapyTools)) { Import-Module (Join-Path $repo 'GammapyTools.psd1') }
. (Join-Path $PSScriptRoot 'SimulatedStoreConfig.ps1')
if ((Test-Path $Path) -and (Get-ChildItem $Path -Force)) { throw "$Path is not empty; give a new folder." }
New-Item -ItemType Directory -Force $Path | Out-Null
Push-Location $Path
try {
    New-SimulatedDataStore -Path ./store -RunCount 60 -Seed 1 -EventsPerRun 2000 | Out-Null
    New-SimulatedDataStore -Path ./src-bkg -RunCount 3 -Seed 2 -Source '184.4667 30.1167' -SourceRate 30 -EventsPerRun 2000 | Out-Null
    New-Item -ItemType Directory ./hess/data, ./catalogs | Out-Null
    Copy-Item (Join-Path $repo 'tests/data/hess-dl3-dr1/data/*.fits.gz') ./hess/data
    Copy-Item (Join-Path $repo 'tests/data/hess-dl3-dr1/README*') ./hess
    Get-Run -Path ./hess/data/*.fits.gz | New-DataStoreIndex -Path ./hess | Out-Null
    Copy-Item (Join-Path $repo 'tests/data/catalogs/*') ./catalogs

    $cfg = New-GammapyToolsConfig
    $cfg.io.search_datastore = './store'
    $cfg.io.in_dir = './analysis'
    $cfg.io.out_dir = './results'
    $cfg.run_selection.runlist = @(64080, 64083, 64088, 64093)
    Set-SimulatedStoreSettings -Config $cfg -MimicCount 2
    $cfg | Export-GammapyToolsConfig -Path ./analysis.yaml
}
finally { Pop-Location }
Write-Host "examples folder: $((Resolve-Path $Path).Path)"
