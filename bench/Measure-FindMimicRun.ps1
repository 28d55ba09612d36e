#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Times one Find-MimicRun call in a fresh process (issue 11's "fresh process" target): wall and CPU
    time of the call alone (after Import-Module and Get-Run), candidates found, peak memory.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-FindMimicRun.ps1 -Store /tmp/s2000 -CachePath /tmp/s2000-cache
    Run Update-BackgroundIndex -DataStore /tmp/s2000 -CachePath /tmp/s2000-cache first to time the indexed search.
#>
param(
    [Parameter(Mandatory)] [string] $Store,
    [string] $CachePath,
    [string] $Module = (Join-Path (Split-Path -Parent $PSScriptRoot) 'GammapyTools.psd1')
)
Import-Module $Module
$t = Get-Run -DataStore $Store | Where-Object NTels -eq 4 | Select-Object -First 1
$p = [Diagnostics.Process]::GetCurrentProcess(); $c0 = $p.TotalProcessorTime
$sw = [Diagnostics.Stopwatch]::StartNew()
$extra = if ($CachePath) { @{ CachePath = $CachePath } } else { @{} }
$c = Find-MimicRun -Target $t -SearchDataStore $Store @extra -WarningAction SilentlyContinue
$wall = $sw.Elapsed.TotalMilliseconds; $p.Refresh()
"Find-MimicRun wall {0:N0} ms, cpu {1:N0} ms, {2} candidates, peak RSS {3:N0} MB" -f $wall, ($p.TotalProcessorTime - $c0).TotalMilliseconds, @($c).Count, ($p.PeakWorkingSet64 / 1MB)
