<#
.SYNOPSIS
    GammapyTools demo: the whole mimic workflow on a simulated data store
    (run via: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo).
.DESCRIPTION
    1. Simulates a VERITAS-like search data store (background runs with background models) in
       demo/out/search.
    2. Writes a gammapy-tools config (demo/out/analysis.yaml) whose run list is a few of its runs.
    3. Invoke-PrepareDataset copies them to in_dir; Invoke-MakeBackground builds their
       background models from matched runs (KL-ranked) into out_dir.
    4. Invoke-MimicDataset writes n_mimic mimic data stores (out_dir/mimic_1 ...).
    5. Shows a run, its candidates, and a re-pointed run's header.
    Everything is deterministic (seeded); rerunning replaces demo/out.
#>
[CmdletBinding()]
param(
    [int] $RunCount = 120,
    [int] $TargetCount = 4,
    [int] $MimicCount = 3,
    [long] $Seed = 1
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GammapyTools.psd1') -Force
. (Join-Path $PSScriptRoot 'SimulatedStoreConfig.ps1')

function Step([string] $text) { Write-Host "`n== $text" -ForegroundColor Cyan }

$out = Join-Path $PSScriptRoot 'out'
if (Test-Path $out) { Remove-Item $out -Recurse -Force }
$watch = [Diagnostics.Stopwatch]::StartNew()

Step "1. A simulated VERITAS-like search data store: $RunCount runs, seed $Seed"
$search = Join-Path $out 'search'
$runs = New-SimulatedDataStore -Path $search -RunCount $RunCount -Seed $Seed -EventsPerRun 3000
Get-Run -DataStore $search | Where-Object Zenith -lt 30 | Select-Object -First 5 | Format-Table

Step '2. A gammapy-tools configuration'
$targetIds = @(Get-Run -DataStore $search | Where-Object NTels -eq 4 | Select-Object -First $TargetCount).ObsId
$cfg = New-GammapyToolsConfig
$cfg.io.search_datastore = $search
$cfg.io.in_dir = Join-Path $out 'analysis'
$cfg.io.out_dir = Join-Path $out 'results'
$cfg.run_selection.runlist = $targetIds
Set-SimulatedStoreSettings -Config $cfg -MimicCount $MimicCount
$configPath = Join-Path $out 'analysis.yaml'
$cfg | Export-GammapyToolsConfig -Path $configPath
Write-Host "written $configPath; run list: $($targetIds -join ', ')"

Step '3. Prepare the run list and make background models from matched runs'
$cfg = Invoke-PrepareDataset -Config $configPath
$cfg = Invoke-MakeBackground -Config $cfg -Catalog @()
Get-Run -DataStore $cfg.io.out_dir | Format-Table ObsId, Object, Zenith, NsbLevel, BackgroundClass

Step "4. Candidates of run $($targetIds[0]), ranked by KL divergence"
$target = Get-Run -DataStore $cfg.io.out_dir -ObsId $targetIds[0]
Find-MimicRun -Target $target -SearchDataStore $search -Config $cfg -WarningAction SilentlyContinue | Select-Object -First 5 | Format-Table

Step "5. $MimicCount mimic data stores"
Invoke-MimicDataset -Config $cfg -Seed $Seed | Format-Table
foreach ($i in 1..$MimicCount) {
    $folder = Join-Path $cfg.io.out_dir "mimic_$i"
    Write-Host ("{0}: {1} runs" -f $folder, @(Get-Run -DataStore $folder).Count)
}
$mimicked = Get-Run -DataStore (Join-Path $cfg.io.out_dir 'mimic_1') -ObsId $targetIds[0]
Write-Host "mimic_1 run $($targetIds[0]): pointing $($mimicked.RaPnt), $($mimicked.DecPnt) (the target's: $($target.RaPnt), $($target.DecPnt))"

$watch.Stop()
Write-Host ("`nDemo finished in {0:N1} s. Outputs in {1}" -f $watch.Elapsed.TotalSeconds, $out) -ForegroundColor Green
