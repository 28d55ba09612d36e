#requires -Version 7.6
<#
.SYNOPSIS
    Single entry point: build, test, bench, demo, clean.
.DESCRIPTION
    Run from anywhere as:  dotnet pwsh ./build.ps1 [-Task Build|Test|Package|Bench|Demo|Clean] [-Configuration Release]

    Build  dotnet publish of src/GammapyTools.PowerShell (portable, framework-dependent) into
           module/bin, native libraries in runtimes/<rid>/native for linux-x64/arm64, osx, win-x64;
           writes the MAML help next to the DLL and the about_ topics (module/en-US, config keys
           filled in) to en-US beside the manifest; checks
           that CmdletsToExport lists exactly the compiled cmdlets and that
           System.Management.Automation.dll is not shipped.
    Package Build, then out/GammapyTools.<version>.nupkg (Compress-PSResource of a staged module
           folder: manifest, LICENSE, module/bin, format file).
    Test   Build, then the xunit tests (dotnet test) and the Pester tests (tests/pester, Pester 5.7.1
           from tools/tools.proj) in a child pwsh. Prints a final line "N passed, N failed, N skipped"
           over both suites; exits non-zero if either fails. A test whose oracle (python3 gammapy,
           fitsverify, ../shared/data, Slurm) is missing is skipped, and fails with CI=true.
    Bench  Build, then bench/Invoke-Bench.ps1 (if present).
    Demo   Build, then demo/Invoke-Demo.ps1 (if present).
    Clean  Removes module/bin, en-US, TestResults, out and the projects' bin/obj.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Bench', 'Demo', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false   # exit codes are checked explicitly
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$ModuleBin = Join-Path $Root 'module/bin'
$ResultsDir = Join-Path $Root 'TestResults'
$PesterManifest = Join-Path $Root 'tools/packages/pester/5.7.1/tools/Pester.psd1'
$OutDir = Join-Path $Root 'out'
# Platforms whose SkiaSharp/HarfBuzzSharp native libraries ship with the module (osx: one universal binary).
$NativeRids = @('linux-x64', 'linux-arm64', 'osx', 'win-x64')

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command, echoing it; throws if it fails.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    Write-Host "    $FilePath $($ArgumentList -join ' ')" -ForegroundColor DarkGray
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-ChildPwsh {
    # The same pwsh as this one: `dotnet pwsh` runs pwsh.dll under the dotnet host.
    $exe = [Environment]::ProcessPath
    $arguments = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $arguments += Join-Path $PSHOME 'pwsh.dll' }
    [pscustomobject]@{ Path = $exe; Arguments = $arguments }
}

function Invoke-Build {
    Write-Step "Build ($Configuration): dotnet publish -> module/bin"
    if (Test-Path $ModuleBin) { Remove-Item $ModuleBin -Recurse -Force }
    # Portable (no runtime identifier): native libraries land in runtimes/<rid>/native, where the
    # module's NativeLibraryLoader finds the one for the running platform. Only the platforms the
    # package promises are kept (the others would triple its size).
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/GammapyTools.PowerShell'),
        '-c', $Configuration, '--self-contained', 'false', '-o', $ModuleBin, '-nologo')
    foreach ($rid in Get-ChildItem (Join-Path $ModuleBin 'runtimes') -Directory) {
        if ($rid.Name -notin $NativeRids) { Remove-Item $rid.FullName -Recurse -Force }
    }
    foreach ($rid in $NativeRids) {
        if (-not (Get-ChildItem (Join-Path $ModuleBin "runtimes/$rid/native") -Filter '*SkiaSharp*' -ErrorAction SilentlyContinue)) {
            throw "SkiaSharp's native library for $rid is missing from module/bin/runtimes/$rid/native."
        }
    }

    # pwsh brings its own System.Management.Automation; a copy next to the DLL would shadow it.
    $sma = @(Get-ChildItem $ModuleBin -Recurse -Filter 'System.Management.Automation.dll')
    if ($sma.Count -gt 0) {
        Write-Warning "Removing $($sma.Count) System.Management.Automation.dll from module/bin (compile-time reference only)."
        $sma | Remove-Item -Force
    }
    if (Test-Path (Join-Path $ModuleBin 'System.Management.Automation.dll')) {
        throw 'System.Management.Automation.dll must not be shipped in module/bin.'
    }
    Set-ReadyToRunModuleDlls

    # MAML help: pwsh looks for <dll>-Help.xml in a culture folder next to the DLL of a nested
    # binary module (module/bin/en-US). It is generated from module/help/<Cmdlet>.psd1 and the
    # compiled parameter metadata, in a child pwsh so that this process does not load the DLL.
    $helpXml = Join-Path $ModuleBin 'en-US/GammapyTools.PowerShell.dll-Help.xml'
    $pwsh = Get-ChildPwsh
    Invoke-Native $pwsh.Path (@($pwsh.Arguments) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'module/help/Build-Help.ps1'),
        '-ModuleDll', (Join-Path $ModuleBin 'GammapyTools.PowerShell.dll'), '-OutFile', $helpXml))
    Write-Host "    module built: $(Join-Path $ModuleBin 'GammapyTools.PowerShell.dll')"
}

function Set-ReadyToRunModuleDlls {
    # The first Find-MimicRun of a fresh process spent ~40 % of its time in JIT (bench/RESULTS.md).
    # A second publish for this machine's runtime with ReadyToRun gives GammapyTools.Core and
    # GammapyTools.PowerShell precompiled code; only these two DLLs replace the portable ones (the
    # native-library layout of module/bin stays portable). They keep their IL, so on another
    # platform the runtime ignores the precompiled code and JITs as before. If it cannot be made
    # (no ReadyToRun compiler for this runtime), the portable DLLs stay, with a warning.
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $r2r = Join-Path $Root "src/GammapyTools.PowerShell/obj/r2r-publish/$rid"
    Write-Step "ReadyToRun ($rid): GammapyTools.Core.dll, GammapyTools.PowerShell.dll"
    & dotnet publish (Join-Path $Root 'src/GammapyTools.PowerShell') -c $Configuration -r $rid --self-contained false `
        -p:PublishReadyToRun=true -o $r2r -nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) {
        Write-Warning "ReadyToRun publish for $rid failed (exit code $LASTEXITCODE): module/bin keeps the JIT-only DLLs."
        return
    }
    foreach ($dll in 'GammapyTools.Core.dll', 'GammapyTools.PowerShell.dll') { Copy-Item (Join-Path $r2r $dll) $ModuleBin -Force }
}

function Invoke-Package {
    # out/GammapyTools.<version>.nupkg: the module as Install-PSResource/Install-Module install it.
    Invoke-Build
    Write-Step "Package: tools/New-ModulePackage.ps1 -> out/"
    $pwsh = Get-ChildPwsh
    Invoke-Native $pwsh.Path (@($pwsh.Arguments) + @('-NoProfile', '-NonInteractive', '-File',
        (Join-Path $Root 'tools/New-ModulePackage.ps1'), '-OutDir', $OutDir))
    $nupkg = Get-ChildItem $OutDir -Filter 'GammapyTools.*.nupkg' | Sort-Object LastWriteTime | Select-Object -Last 1
    Write-Host ("    package: {0} ({1:N1} MB)" -f $nupkg.FullName, ($nupkg.Length / 1MB))
}

function Get-TrxCount {
    # Returns @{ Passed; Failed; Skipped } from a .trx file (missing file = one failure).
    param([string] $Path)
    if (-not (Test-Path $Path)) {
        Write-Warning "xunit results not found ($Path); counting the suite as failed."
        return @{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    [xml] $trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    $failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
    # xunit's skipped tests show up as total - executed (notExecuted stays 0).
    $skipped = [Math]::Max([int]$c.total - [int]$c.executed, [int]$c.notExecuted) + [int]$c.inconclusive
    return @{ Passed = [int]$c.passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory $ResultsDir | Out-Null
    # The background-index cache of both suites (and every process they start) is TestResults/xdg-cache,
    # never the user's ~/.cache/gammapytools; tests/pester/BackgroundIndex.Tests.ps1 checks it.
    $userCacheHome = $env:XDG_CACHE_HOME
    $env:XDG_CACHE_HOME = Join-Path $ResultsDir 'xdg-cache'

    # ---- xunit
    Write-Step 'xunit: dotnet test tests/GammapyTools.Core.Tests'
    $trxName = 'xunit.trx'
    & dotnet test (Join-Path $Root 'tests/GammapyTools.Core.Tests') -c $Configuration -nologo `
        --logger "trx;LogFileName=$trxName" --logger 'console;verbosity=normal' --results-directory $ResultsDir
    $xunitExit = $LASTEXITCODE
    $xunit = Get-TrxCount (Join-Path $ResultsDir $trxName)
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }   # build error, crash, ...

    # ---- Pester, in a child pwsh so this process never loads (and locks) the module DLL
    Write-Step 'Pester 5.7.1: tests/pester (child pwsh)'
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tools/tools.proj'), '-nologo')
    if (-not (Test-Path $PesterManifest)) { throw "Pester not found at $PesterManifest after restore." }
    $summaryPath = Join-Path $ResultsDir 'pester-summary.json'
    $child = @'
param($PesterManifest, $TestPath, $ResultXml, $SummaryPath)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
$cfg = New-PesterConfiguration
$cfg.Run.Path = $TestPath
$cfg.Run.PassThru = $true
$cfg.Run.Exit = $false
$cfg.Output.Verbosity = 'Detailed'
if ([Console]::IsOutputRedirected) { $cfg.Output.RenderMode = 'Plaintext' }
$cfg.TestResult.Enabled = $true
$cfg.TestResult.OutputFormat = 'NUnitXml'
$cfg.TestResult.OutputPath = $ResultXml
$r = Invoke-Pester -Configuration $cfg
$failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
[ordered]@{ Result = $r.Result; Passed = $r.PassedCount; Failed = $failed; Skipped = $r.SkippedCount + $r.NotRunCount } |
    ConvertTo-Json | Set-Content -Path $SummaryPath
if ($r.Result -ne 'Passed' -or $failed -gt 0) { exit 1 }
exit 0
'@
    $childScript = Join-Path $ResultsDir 'run-pester.ps1'
    Set-Content -Path $childScript -Value $child
    Push-Location $Root
    try {
        $pwsh = Get-ChildPwsh
        $pwshArgs = $pwsh.Arguments
        & $pwsh.Path @pwshArgs -NoProfile -NonInteractive -File $childScript `
            -PesterManifest $PesterManifest -TestPath (Join-Path $Root 'tests/pester') `
            -ResultXml (Join-Path $ResultsDir 'pester.xml') -SummaryPath $summaryPath
        $pesterExit = $LASTEXITCODE
    }
    finally { Pop-Location }
    if (Test-Path $summaryPath) {
        $p = Get-Content -Raw $summaryPath | ConvertFrom-Json
        $pester = @{ Passed = [int]$p.Passed; Failed = [int]$p.Failed; Skipped = [int]$p.Skipped }
    }
    else {
        Write-Warning 'Pester did not write a summary; counting the suite as failed.'
        $pester = @{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    if ($pesterExit -ne 0 -and $pester.Failed -eq 0) { $pester.Failed = 1 }
    $env:XDG_CACHE_HOME = $userCacheHome

    # ---- summary (the last line is read by CI: "N passed, N failed, N skipped")
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host ''
    Write-Host ("xunit:  {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
    [Console]::Out.WriteLine("$passed passed, $failed failed, $skipped skipped")
    if ($xunitExit -ne 0 -or $pesterExit -ne 0 -or $failed -gt 0) { exit 1 }
}

function Invoke-OptionalScript([string] $Name, [string] $RelativePath) {
    Invoke-Build
    $path = Join-Path $Root $RelativePath
    if (-not (Test-Path $path)) {
        Write-Host "$Name script $RelativePath does not exist yet; nothing to run."
        return
    }
    Write-Step "$Name`: $RelativePath"
    & $path
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Bench' { Invoke-OptionalScript 'Bench' 'bench/Invoke-Bench.ps1' }
    'Demo' { Invoke-OptionalScript 'Demo' 'demo/Invoke-Demo.ps1' }
    'Clean' {
        Write-Step 'Clean'
        Invoke-Native dotnet @('clean', (Join-Path $Root 'GammapyTools.slnx'), '-c', $Configuration, '-nologo', '-v', 'q')
        foreach ($dir in @($ModuleBin, $ResultsDir, $OutDir, (Join-Path $Root 'en-US'))) {
            if (Test-Path $dir) { Remove-Item $dir -Recurse -Force; Write-Host "    removed $dir" }
        }
    }
}
exit 0
