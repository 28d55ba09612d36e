#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Times Update-BackgroundIndex in a fresh process: a forced build, an update with nothing changed,
    and an update after touching every .fits.gz of the store (new mtime, same bytes).
.DESCRIPTION
    Changes the modification time of the store's files: give it a copy of a store, never real data.
.EXAMPLE
    dotnet pwsh -NoProfile -Command "Import-Module ./GammapyTools.psd1; New-SimulatedDataStore -Path /tmp/s2000 -RunCount 2000 -EventsPerRun 300 -Seed 3 | Out-Null"
    dotnet pwsh -NoProfile -File bench/Measure-BackgroundIndexUpdate.ps1 -Store /tmp/s2000 -CachePath /tmp/s2000-cache
#>
param(
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [string] $CachePath,
    [string] $Module = (Join-Path (Split-Path -Parent $PSScriptRoot) 'GammapyTools.psd1')
)
Import-Module $Module
function Show([string] $what, [scriptblock] $call) {
    $t = Measure-Command { $s = & $call }
    "{0,-28} {1,7:N0} ms  Reused {2}  Rehashed {3}  Read {4}  HeadersRead {5}  Written {6}" -f $what, $t.TotalMilliseconds,
        $s.Reused, $s.Rehashed, $s.Read, $s.HeadersRead, $s.Written
}
Show 'build (-Force)' { Update-BackgroundIndex -DataStore $Store -CachePath $CachePath -Force }
Show 'nothing changed' { Update-BackgroundIndex -DataStore $Store -CachePath $CachePath }
$now = Get-Date
Get-ChildItem $Store -Filter *.fits.gz | Where-Object Name -notmatch '^(hdu|obs)-index' | ForEach-Object { $_.LastWriteTime = $now }
Show 'every file touched' { Update-BackgroundIndex -DataStore $Store -CachePath $CachePath }
