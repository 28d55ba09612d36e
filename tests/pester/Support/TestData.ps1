# Dot-source in BeforeAll:  . (Join-Path $PSScriptRoot 'Support/TestData.ps1')
# The real files in tests/data (H.E.S.S. DR1, MAGIC, catalogs) and a fresh scratch folder per call.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$script:Hess = Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data'
$script:Magic = Join-Path $script:RepoRoot 'tests/data/magic-rad-max'
$script:Catalogs = Join-Path $script:RepoRoot 'tests/data/catalogs'
$script:HessFiles = @(Get-ChildItem $script:Hess -Filter '*.fits.gz' | Sort-Object Name)
$script:MagicFiles = @(Get-ChildItem $script:Magic -Filter '*.fits' | Sort-Object Name)

function New-TempDir {
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("gpt-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    $dir
}
