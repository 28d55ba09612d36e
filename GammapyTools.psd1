@{
    # Binary module: the cmdlets live in the published DLL (dotnet pwsh ./build.ps1 puts it in module/bin).
    # NestedModules rather than RootModule on purpose: then pwsh finds the DLL's MAML help in
    # module/bin/en-US (next to the DLL); with RootModule it would look in ./en-US at the repo root.
    # GammapyTools.Pester.psm1: Should -BeSignalFree / -HaveGaussianSignificance, registered only when
    # Pester 5 is already loaded (it exports nothing; FunctionsToExport stays empty).
    NestedModules        = @('module/bin/GammapyTools.PowerShell.dll', 'module/GammapyTools.Pester.psm1')
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b1c8e-3d0a-4b7e-9a51-2f6c4e8d7a13'
    Author               = 'GammapyTools developers'
    CompanyName          = 'GammapyTools developers'
    Copyright            = 'Copyright (c) 2026, GammapyTools developers. BSD-3-Clause (see LICENSE).'
    Description          = 'Tests gamma-ray (IACT, GADF DL3) analyses for fake signals: reads VERITAS, H.E.S.S., MAGIC and CTAO data stores, mimics background runs in a target''s field of view (exact re-pointing on the sphere), scrambles weak sources out, builds background models, ranks runs by KL divergence and writes complete mimic data stores. A port of gammapy-tools over a compiled .NET core.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/GammapyTools.Format.ps1xml')
    # Listed explicitly so that PowerShell finds and auto-loads them from PSModulePath. The build
    # checks this list against the compiled cmdlets and fails naming any difference.
    CmdletsToExport      = @(
        'Add-Background'
        'Complete-Background'
        'Complete-MimicDataset'
        'Convert-Fov'
        'Export-BackgroundModelPlot'
        'Export-GammapyToolsConfig'
        'Export-KlDivergencePlot'
        'Export-ScrambleDiagnostic'
        'Export-SkyMap'
        'Export-SkyMapPlot'
        'Find-MimicRun'
        'Get-GammapyToolsVersion'
        'Get-KlDivergence'
        'Get-Run'
        'Import-GammapyToolsConfig'
        'Invoke-MakeBackground'
        'Invoke-MimicDataset'
        'Invoke-PrepareDataset'
        'New-BackgroundModel'
        'New-DataStoreIndex'
        'New-GammapyToolsConfig'
        'New-SimulatedDataStore'
        'New-SkyMap'
        'Remove-BackgroundIndex'
        'Submit-BackgroundCampaign'
        'Submit-MimicCampaign'
        'Test-MimicDataset'
        'Update-BackgroundIndex'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('astronomy', 'gamma-ray', 'gammapy', 'IACT', 'DL3', 'GADF', 'FITS', 'VERITAS', 'HESS', 'MAGIC', 'CTAO', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            ReleaseNotes = 'First packaged release: binary cmdlets for mimic data stores, background models and KL ranking; SkiaSharp native libraries for linux-x64/arm64, osx and win-x64.'
        }
    }
}
