# What a Pester test may depend on beyond the repository, and one way to say it is missing.
# Dot-source in BeforeAll:  . (Join-Path $PSScriptRoot 'Support/Oracles.ps1')
# then, first thing inside an It:  Assert-TestOracle FitsVerify
# Missing: the test is reported SKIPPED; with CI=true (.ci/run installs/starts them all) it FAILS.
# GAMMAPYTOOLS_TEST_HIDE=fitsverify,gammapy,... (or all) pretends an oracle is missing (to check
# that skips are reported); the xunit side (tests/GammapyTools.Core.Tests/Support/TestPaths.cs) does the same.

$script:OracleRepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path

function Test-TestOracle {
    [OutputType([bool])]
    param([Parameter(Mandatory)] [ValidateSet('Astropy', 'Numpy', 'Scipy', 'Gammapy', 'FitsVerify', 'SharedData', 'Slurm')] [string] $Name)
    $hide = @(($env:GAMMAPYTOOLS_TEST_HIDE ?? '') -split ',' | ForEach-Object Trim)
    if ($hide -contains 'all' -or $hide -contains $Name) { return $false }
    $python = '/usr/bin/python3'
    switch ($Name) {
        { $_ -in 'Astropy', 'Numpy', 'Scipy', 'Gammapy' } {
            if (-not (Test-Path $python)) { return $false }
            & $python -c "import $($Name.ToLowerInvariant())" 2>$null | Out-Null
            return $LASTEXITCODE -eq 0
        }
        'FitsVerify' { return [bool](Get-Command fitsverify -CommandType Application -ErrorAction SilentlyContinue) }
        'SharedData' { return Test-Path (Join-Path $script:OracleRepoRoot '../shared/data') }
        'Slurm' {
            if (-not (Get-Command sinfo -CommandType Application -ErrorAction SilentlyContinue)) { return $false }
            & sinfo -h 2>$null | Out-Null
            return $LASTEXITCODE -eq 0
        }
    }
}

function Assert-TestOracle {
    # Inside an It: stops the test as skipped (failed in CI) when the oracle is missing.
    param([Parameter(Mandatory)] [string] $Name)
    if (Test-TestOracle $Name) { return }
    if ($env:CI -eq 'true') { throw "CI=true but oracle '$Name' is missing: .ci/run must install/start it." }
    Set-ItResult -Skipped -Because "oracle '$Name' is missing"
}

function Get-SharedDataPath {
    # ../shared/data beside the clone (call Assert-TestOracle SharedData first).
    (Resolve-Path (Join-Path $script:OracleRepoRoot '../shared/data')).Path
}
