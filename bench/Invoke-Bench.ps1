#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the GammapyTools benchmarks (Release build) and prints the results table.
.DESCRIPTION
    Called by build.ps1 -Task Bench. Runs
        dotnet run -c Release --project bench/GammapyTools.Bench -- all
    from the repository root. Pass -Name to run only some benchmarks (fits-read, repoint, ...).
.EXAMPLE
    ./bench/Invoke-Bench.ps1
    ./bench/Invoke-Bench.ps1 -Name fits-read -Repetitions 11
#>
[CmdletBinding()]
param(
    [string[]] $Name = @('all'),
    [int] $Repetitions = 0,
    [int] $Warmup = -1
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$arguments = @('run', '-c', 'Release', '--project', (Join-Path $root 'bench/GammapyTools.Bench'), '--') + $Name
if ($Repetitions -gt 0) { $arguments += @('--reps', "$Repetitions") }
if ($Warmup -ge 0) { $arguments += @('--warmup', "$Warmup") }
Push-Location $root
try {
    & dotnet @arguments
    if ($LASTEXITCODE -ne 0) { throw "benchmarks failed (exit code $LASTEXITCODE)" }
}
finally { Pop-Location }
