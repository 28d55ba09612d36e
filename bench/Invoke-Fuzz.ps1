#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the FITS/DL3 fuzz test with many cases (default 1,000,000) and appends its counts to a report.
.DESCRIPTION
    The fuzz test (tests/GammapyTools.Core.Tests/Fuzz) runs 20,000 seeded cases in CI. This runs the
    same test with GAMMAPY_FUZZ_CASES/SEED/FIRST set, so cases first .. first+cases-1 of a seed are
    run (a long run can be split into shards over several machines: -First 0, 250000, ...). The
    counts by outcome and the time are printed and appended to -Report (TestResults/fuzz-report.txt).
.EXAMPLE
    ./bench/Invoke-Fuzz.ps1                          # 1,000,000 cases of seed 9
    ./bench/Invoke-Fuzz.ps1 -Cases 250000 -First 250000 -Seed 9
#>
[CmdletBinding()]
param(
    [long] $Cases = 1000000,
    [int] $Seed = 9,
    [long] $First = 0,
    [string] $Report = (Join-Path (Split-Path -Parent $PSScriptRoot) 'TestResults/fuzz-report.txt')
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$env:GAMMAPY_FUZZ_CASES = "$Cases"
$env:GAMMAPY_FUZZ_SEED = "$Seed"
$env:GAMMAPY_FUZZ_FIRST = "$First"
$env:GAMMAPY_FUZZ_REPORT = [IO.Path]::GetFullPath($Report)
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $env:GAMMAPY_FUZZ_REPORT) | Out-Null
Push-Location $root
try {
    & dotnet test (Join-Path $root 'tests/GammapyTools.Core.Tests') -c Release --filter 'FullyQualifiedName~FuzzTests' --logger 'console;verbosity=detailed'
    if ($LASTEXITCODE -ne 0) { throw "the fuzz test failed (exit code $LASTEXITCODE); see the violations above" }
}
finally {
    Pop-Location
    Remove-Item Env:GAMMAPY_FUZZ_CASES, Env:GAMMAPY_FUZZ_SEED, Env:GAMMAPY_FUZZ_FIRST, Env:GAMMAPY_FUZZ_REPORT -ErrorAction SilentlyContinue
}
