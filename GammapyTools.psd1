@{
    # Binary module: the cmdlets live in the published DLL (dotnet pwsh ./build.ps1 puts it in module/bin).
    # NestedModules rather than RootModule on purpose: then pwsh finds the DLL's MAML help in
    # module/bin/en-US (next to the DLL); with RootModule it would look in ./en-US at the repo root.
    NestedModules        = @('module/bin/GammapyTools.PowerShell.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b1c8e-3d0a-4b7e-9a51-2f6c4e8d7a13'
    Author               = 'GammapyTools contributors'
    CompanyName          = 'GammapyTools'
    Copyright            = '(c) GammapyTools contributors. All rights reserved.'
    Description          = 'Gamma-ray astronomy (IACT, GADF DL3) tools for PowerShell: read VERITAS-like DL3 data stores, build mimic background datasets (FoV conversion, KL-divergence run selection), background estimation and diagnostics. A port of gammapy-tools over a compiled .NET core.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/GammapyTools.Format.ps1xml')
    # '*' while the cmdlet set grows; list them explicitly before a release.
    CmdletsToExport      = '*'
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('astronomy', 'gamma-ray', 'gammapy', 'DL3', 'FITS', 'VERITAS')
            ProjectUri = ''
        }
    }
}
