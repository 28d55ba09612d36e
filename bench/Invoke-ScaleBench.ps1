#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Scale benchmark (issue 11): a simulated archive of many short runs, a mimic campaign of many
    targets, each stage timed in a fresh process with its peak memory.
.DESCRIPTION
    Every stage runs as its own `dotnet pwsh` process under /usr/bin/time (wall seconds, peak RSS),
    so "fresh process" numbers include module loading, as a shard on a cluster node pays them.
    Stages:
      generate        New-SimulatedDataStore (skipped with -Store)
      index build     Update-BackgroundIndex -Force, with -ThrottleLimit 1 and 2 (own cache folders)
      index refresh   Update-BackgroundIndex on an up-to-date index (stat of every file, nothing read)
      search cold     Find-MimicRun for 1 target with an empty cache folder (builds the index: the cost today)
      search 1        Find-MimicRun for 1 target from the index
      search all      Find-MimicRun for every target, one process, from the index
      campaign        Invoke-MimicDataset, all targets x n_mimic, -ThrottleLimit 1 and 2 (search + conversion + indexing)
      indexing        New-DataStoreIndex -Force of every mimic_i folder of the campaign
      4 shards        the run list split into 4 configs (own out_dir each), 4 processes at once, -ThrottleLimit 1
                      (Invoke-MimicDataset -Shard is another branch's work; this simulates it)
    The campaign's targets are runs of the archive itself (4-telescope runs, evenly spread), as
    in the Pester tests; in_dir = the archive.
.EXAMPLE
    ./bench/Invoke-ScaleBench.ps1 -Runs 10000 -Targets 200 -Work /tmp/scale
    ./bench/Invoke-ScaleBench.ps1 -Store /tmp/scale/archive -Targets 200 -Work /tmp/scale
#>
[CmdletBinding()]
param(
    [int] $Runs = 10000,
    [int] $Targets = 200,
    [int] $NMimic = 5,
    [double] $EventsPerRun = 100,
    [long] $Seed = 11,
    [string] $Work = (Join-Path ([IO.Path]::GetTempPath()) 'gpt-scale'),
    [string] $Store,
    [string] $Module = (Join-Path (Split-Path -Parent $PSScriptRoot) 'GammapyTools.psd1'),
    [switch] $SkipCampaign
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
New-Item -ItemType Directory -Force $Work | Out-Null
$rows = [System.Collections.Generic.List[object]]::new()

# One stage in a fresh process: wall time and peak resident memory from /usr/bin/time.
function Start-Stage([string] $Stage, [string] $Script) {
    $scriptFile = Join-Path $Work "stage.$([guid]::NewGuid().ToString('N')).ps1"
    # The stage's own work is timed inside the process too (after Import-Module): the part a long-lived shard pays per call.
    "`$ErrorActionPreference = 'Stop'; Import-Module '$Module'; `$__clock = [Diagnostics.Stopwatch]::StartNew()`n`$__note = & { $Script }`n`"work `$([math]::Round(`$__clock.Elapsed.TotalSeconds, 3)) s; `$__note`"" | Set-Content $scriptFile
    $psi = [Diagnostics.ProcessStartInfo]::new('/usr/bin/time')
    foreach ($a in '-f', '%e %M', '-o', "$scriptFile.time", 'dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $scriptFile) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $root
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Stage = $Stage; Process = $process; File = $scriptFile; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
}

function Complete-Stage($Started) {
    $Started.Process.WaitForExit()
    $out = $Started.Out.Result.Trim()
    if ($Started.Process.ExitCode -ne 0) { throw "stage '$($Started.Stage)' failed: $out $($Started.Err.Result)" }
    $t = (Get-Content "$($Started.File).time" | Select-Object -Last 1) -split ' '
    Remove-Item $Started.File, "$($Started.File).time"
    $last = ($out -split "`n" | Select-Object -Last 1)
    $work = if ($last -match '^work ([0-9.]+) s; (.*)$') { [double]$Matches[1] } else { [double]::NaN }
    $row = [pscustomobject]@{ Stage = $Started.Stage; Seconds = [double]$t[0]; WorkSeconds = $work; PeakMB = [math]::Round([double]$t[1] / 1024); Note = $(if ($last -match '^work [0-9.]+ s; (.*)$') { $Matches[1] } else { $last }) }
    $rows.Add($row)
    Write-Host ("{0,-56} {1,8:0.00} s {2,8:0.000} s {3,7} MB  {4}" -f $row.Stage, $row.Seconds, $row.WorkSeconds, $row.PeakMB, $row.Note)
    $row
}

function Invoke-Stage([string] $Stage, [string] $Script) { Complete-Stage (Start-Stage $Stage $Script) }

if (-not $Store) {
    $Store = Join-Path $Work 'archive'
    if (-not (Test-Path (Join-Path $Store 'hdu-index.fits.gz'))) {
        Invoke-Stage "generate $Runs runs x $EventsPerRun events" "New-SimulatedDataStore -Path '$Store' -RunCount $Runs -EventsPerRun $EventsPerRun -Seed $Seed -Force | Out-Null; 'done'" | Out-Null
    }
}
$Store = (Resolve-Path $Store).Path
$files = @(Get-ChildItem $Store -Filter '*.fits*')
Write-Host ("archive {0}: {1} files, {2:0} MB" -f $Store, $files.Count, (($files | Measure-Object Length -Sum).Sum / 1MB))

# Targets: every k-th 4-telescope run.
$targetIds = & {
    Push-Location $root
    try { dotnet pwsh -NoProfile -Command "Import-Module '$Module'; `$r = @(Get-Run -DataStore '$Store' | Where-Object NTels -eq 4); `$k = [math]::Max(1, [math]::Floor(`$r.Count / $Targets)); (0..($Targets - 1) | ForEach-Object { `$r[`$_ * `$k].ObsId }) -join ','" }
    finally { Pop-Location }
}
$targetList = @($targetIds -split ',' | ForEach-Object { [long]$_ })
Write-Host "$($targetList.Count) targets"

$cacheA = Join-Path $Work 'cache-1'; $cacheB = Join-Path $Work 'cache-2'; $cacheCold = Join-Path $Work 'cache-cold'
Remove-Item -Recurse -Force $cacheA, $cacheB, $cacheCold -ErrorAction SilentlyContinue
$first = $targetList[0]
$findOne = "`$t = Get-Run -DataStore '$Store' -ObsId $first; `$__clock.Restart(); `$c = @(Find-MimicRun -Target `$t -SearchDataStore '$Store' -CachePath 'CACHE' -WarningAction SilentlyContinue); `"`$(`$c.Count) candidates`""

Invoke-Stage 'search cold, 1 target (builds the index: today''s cost)' ($findOne -creplace 'CACHE', $cacheCold) | Out-Null
Invoke-Stage 'index build, -ThrottleLimit 1' "`$s = Update-BackgroundIndex -DataStore '$Store' -CachePath '$cacheA' -ThrottleLimit 1 -Force; `"read `$(`$s.Read), `$([math]::Round((Get-Item `$s.IndexPath).Length / 1MB, 1)) MB index`"" | Out-Null
Invoke-Stage 'index build, -ThrottleLimit 2' "`$s = Update-BackgroundIndex -DataStore '$Store' -CachePath '$cacheB' -ThrottleLimit 2 -Force; `"read `$(`$s.Read)`"" | Out-Null
Invoke-Stage 'index refresh (nothing changed)' "`$s = Update-BackgroundIndex -DataStore '$Store' -CachePath '$cacheA'; `"reused `$(`$s.Reused), read `$(`$s.Read)`"" | Out-Null
Invoke-Stage 'process start + Import-Module only' "'module loaded'" | Out-Null
Invoke-Stage 'search 1 target, indexed' ($findOne -creplace 'CACHE', $cacheA) | Out-Null
Invoke-Stage "search all $($targetList.Count) targets, indexed" "`$ids = @($($targetList -join ',')); `$all = Get-Run -DataStore '$Store' | Where-Object ObsId -in `$ids; `$__clock.Restart(); `$c = @(`$all | Find-MimicRun -SearchDataStore '$Store' -CachePath '$cacheA' -WarningAction SilentlyContinue); `"`$(`$c.Count) candidates`"" | Out-Null

if (-not $SkipCampaign) {
    function New-Config([string] $Out, [long[]] $Ids) {
        $yaml = @"
io:
  search_datastore: $Store
  in_dir: $Store
  out_dir: $Out
config:
  njobs: 1
  cache_dir: $cacheA
background_selection:
  n_mimic: $NMimic
run_selection:
  runlist: [$($Ids -join ', ')]
"@
        $path = "$Out.yaml"
        Set-Content $path $yaml
        $path
    }
    foreach ($jobs in 1, 2) {
        $out = Join-Path $Work "campaign-$jobs"
        Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue
        $cfg = New-Config $out $targetList
        Invoke-Stage "campaign $($targetList.Count) x $NMimic, -ThrottleLimit $jobs" "`$r = @(Invoke-MimicDataset -Config '$cfg' -Seed 1 -ThrottleLimit $jobs -WarningAction SilentlyContinue); `"`$(@(`$r | Where-Object Succeeded).Count) targets done, `$(@(`$r.Outputs).Count) outputs`"" | Out-Null
    }
    $folders = (1..$NMimic | ForEach-Object { "'" + (Join-Path $Work "campaign-1/mimic_$_") + "'" }) -join ','
    Invoke-Stage "indexing $NMimic mimic stores (New-DataStoreIndex)" "foreach (`$f in @($folders)) { `$files = @(Get-ChildItem `$f -Filter '*.fits.gz' | Where-Object Name -notmatch 'index').FullName; New-DataStoreIndex -Path `$f -File `$files -Force | Out-Null }; 'indexed'" | Out-Null

    # 4 shards: the run list in 4 contiguous parts, 4 processes at once (each -ThrottleLimit 1).
    $parts = 4
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $started = foreach ($i in 0..($parts - 1)) {
        $from = [math]::Floor($i * $targetList.Count / $parts); $to = [math]::Floor(($i + 1) * $targetList.Count / $parts)
        $ids = @($targetList[$from..($to - 1)])
        $out = Join-Path $Work "shard-$($i + 1)"
        Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue
        $cfg = New-Config $out $ids
        Start-Stage "shard $($i + 1)/$parts ($($ids.Count) targets), -ThrottleLimit 1" "`$r = @(Invoke-MimicDataset -Config '$cfg' -Seed 1 -ThrottleLimit 1 -WarningAction SilentlyContinue); `"`$(@(`$r | Where-Object Succeeded).Count) targets done`""
    }
    $shardRows = @($started | ForEach-Object { Complete-Stage $_ })
    $rows.Add([pscustomobject]@{ Stage = "4 shards at once, wall"; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 2); WorkSeconds = [double]::NaN; PeakMB = ($shardRows | Measure-Object PeakMB -Maximum).Maximum; Note = 'peak = largest shard' })
}

Write-Host ''
Write-Host "| stage | process wall s | work s (in-process, after Import-Module) | peak RSS MB | note |"
Write-Host "|---|---:|---:|---:|---|"
foreach ($r in $rows) { Write-Host ("| {0} | {1:0.00} | {2:0.000} | {3} | {4} |" -f $r.Stage, $r.Seconds, $r.WorkSeconds, $r.PeakMB, $r.Note) }
