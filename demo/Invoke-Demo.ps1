<#
.SYNOPSIS
    GammapyTools demo (run via: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo).
.DESCRIPTION
    For now only loads the module and shows its version.
    TODO: create a simulated VERITAS-like DL3 data store (core Simulation/) in demo/out,
    then walk through Get-Run | Where-Object ... | Convert-Fov / Get-KlDivergence / background estimation.
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GammapyTools.psd1') -Force

Write-Host 'GammapyTools demo' -ForegroundColor Cyan
Get-GammapyToolsVersion | Format-List
Write-Host 'TODO: simulated data store and mimic pipeline (not implemented yet).'
