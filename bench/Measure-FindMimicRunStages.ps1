#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Where the first Find-MimicRun of a fresh process spends its time: the core steps the cmdlet runs
    (in its order), each timed on its first call (JIT included) and again warm, after Import-Module
    and Get-Run as in bench/Measure-FindMimicRun.ps1; then the cmdlet itself, warm.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-FindMimicRunStages.ps1 -Store /tmp/s2000 -CachePath /tmp/s2000-cache
#>
param(
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [string] $CachePath,
    [string] $Module = (Join-Path (Split-Path -Parent $PSScriptRoot) 'GammapyTools.psd1')
)
Import-Module $Module
$t = Get-Run -DataStore $Store | Where-Object NTels -eq 4 | Select-Object -First 1
$rows = [Collections.Generic.List[object]]::new()
$sw = [Diagnostics.Stopwatch]::new()
# Values stay in variables: nothing goes through the pipeline, which would enumerate the run lists.
function Lap([string] $Name) { $rows.Add([pscustomobject]@{ Stage = $Name; Ms = [math]::Round($sw.Elapsed.TotalMilliseconds, 1) }); $sw.Restart() }
foreach ($pass in 'first', 'warm') {
    $sw.Restart()
    $catalogs = [GammapyTools.Mimic.MimicDatasetBuilder]::LoadCatalogs($null); Lap "$pass`: catalogs (LoadCatalogs)"
    $ds = [GammapyTools.Dl3.DataStore]::Open($Store); Lap "$pass`: DataStore.Open"
    $cache = [GammapyTools.Background.BackgroundModelCache]::new([GammapyTools.Background.BackgroundIndex]::new($CachePath)); Lap "$pass`: cache and index objects"
    $sel = [GammapyTools.Mimic.MimicSelection]::ForTargets($null, $ds, $cache, $catalogs, $null); Lap "$pass`: MimicSelection.ForTargets (index opened and checked, runs listed)"
    $found = $sel.Find($t, [Threading.CancellationToken]::None); Lap "$pass`: Find (cuts, KL from the index, scramble checks)"
}
$sw.Restart()
$c = Find-MimicRun -Target $t -SearchDataStore $Store -CachePath $CachePath -WarningAction SilentlyContinue
Lap 'then the cmdlet (warm)'
$rows | Format-Table -AutoSize | Out-String -Width 120
"{0} candidates (core), {1} (cmdlet)" -f $found.Candidates.Count, @($c).Count
