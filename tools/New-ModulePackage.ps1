#requires -Version 7.6
<#
.SYNOPSIS
    Writes <OutDir>/GammapyTools.<version>.nupkg from a built module/bin (build.ps1 -Task Package
    builds first and calls this; tests/pester/Package.Tests.ps1 calls it on the tested build).
.DESCRIPTION
    Stages the module as it is installed (GammapyTools.psd1, LICENSE, en-US/about_*.help.txt,
    module/GammapyTools.Format.ps1xml, module/GammapyTools.Pester.psm1 (the Pester assertions), module/bin without .pdb and XML doc files) in <OutDir>/GammapyTools, then Compress-PSResource
    (PSResourceGet, shipped with pwsh 7.6) makes the .nupkg. Runs in its own pwsh: Compress-PSResource
    validates the manifest by importing it, which loads (and would lock) the DLL in the caller.
#>
param(
    [Parameter(Mandatory)] [string] $OutDir
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$moduleBin = Join-Path $root 'module/bin'
if (-not (Test-Path (Join-Path $moduleBin 'GammapyTools.PowerShell.dll'))) { throw "module/bin is not built: run 'dotnet pwsh ./build.ps1 -Task Build' first." }
$version = (Import-PowerShellDataFile (Join-Path $root 'GammapyTools.psd1')).ModuleVersion

$stage = Join-Path $OutDir 'GammapyTools'
if (Test-Path $stage) { Remove-Item $stage -Recurse -Force }
New-Item -ItemType Directory -Force (Join-Path $stage 'module') | Out-Null
Copy-Item (Join-Path $root 'GammapyTools.psd1'), (Join-Path $root 'LICENSE') $stage
Copy-Item (Join-Path $root 'module/GammapyTools.Format.ps1xml'), (Join-Path $root 'module/GammapyTools.Pester.psm1') (Join-Path $stage 'module')
Copy-Item (Join-Path $root 'en-US') (Join-Path $stage 'en-US') -Recurse      # about_ topics (written by the build)
Copy-Item $moduleBin (Join-Path $stage 'module/bin') -Recurse
# Debug symbols and the core's XML doc comments are for developers, not for the installed module.
Get-ChildItem (Join-Path $stage 'module/bin') -Include '*.pdb', 'GammapyTools.Core.xml' -Recurse | Remove-Item

$nupkg = Join-Path $OutDir "GammapyTools.$version.nupkg"
if (Test-Path $nupkg) { Remove-Item $nupkg -Force }
Compress-PSResource -Path $stage -DestinationPath $OutDir
Remove-Item $stage -Recurse -Force     # the folder then holds packages only (a repository for Install-PSResource)
if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not write $nupkg." }
Get-Item $nupkg
