<#
.SYNOPSIS
    GammapyTools demo (run via: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo).
.DESCRIPTION
    Loads the module, creates a simulated VERITAS-like DL3 data store (50 runs, seed 1) in
    demo/out/store and lists its first runs.
    TODO: walk through Get-Run | Where-Object ... | Convert-Fov / Get-KlDivergence / background estimation.
#>
[CmdletBinding()]
param(
    [int] $RunCount = 50,
    [long] $Seed = 1
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GammapyTools.psd1') -Force

Write-Host 'GammapyTools demo' -ForegroundColor Cyan
Get-GammapyToolsVersion | Format-List

$store = Join-Path $PSScriptRoot 'out/store'
Write-Host "Simulating a VERITAS-like data store: $RunCount runs, seed $Seed -> $store" -ForegroundColor Cyan
$watch = [Diagnostics.Stopwatch]::StartNew()
$runs = New-SimulatedDataStore -Path $store -RunCount $RunCount -Seed $Seed -Force
$watch.Stop()
Write-Host ("{0} runs written in {1:N1} s" -f $runs.Count, $watch.Elapsed.TotalSeconds)

if (Get-Command Get-Run -ErrorAction SilentlyContinue) {
    Write-Host 'Get-Run -DataStore ... | Select-Object -First 10' -ForegroundColor Cyan
    Get-Run -DataStore $store | Select-Object -First 10 | Format-Table
}
else {
    Write-Host 'The first 10 runs returned by New-SimulatedDataStore (Get-Run is not available yet)' -ForegroundColor Cyan
    $runs | Select-Object -First 10 | Format-Table
}
