@{
    Synopsis    = 'Gets the versions of the GammapyTools module, its core library and the runtime it runs on.'
    Description = @(
        'The Get-GammapyToolsVersion cmdlet reports which GammapyTools build is loaded: the module version, the version of the compiled core library (GammapyTools.Core), the PowerShell version, the .NET runtime, the operating system, the process architecture and the path of the module DLL.'
        'Include its output in bug reports. With -ListAssembly it lists the GammapyTools assemblies (name, version, location) instead, which helps when an old copy of the module is loaded from an unexpected folder.'
    )
    Parameters  = @{
        ListAssembly = 'Lists the GammapyTools assemblies loaded by the module (GammapyTools.PowerShell and GammapyTools.Core), one object per assembly with its name, assembly version, informational version and file location, instead of the single summary object.'
    }
    Inputs      = @(@{ Type = 'None'; Description = 'This cmdlet does not accept pipeline input.' })
    Outputs     = @(
        @{ Type = 'GammapyTools.PowerShell.Cmdlets.GammapyToolsVersionInfo'; Description = 'By default: one object with ModuleVersion, CoreVersion, PowerShellVersion, Runtime, OS, Architecture and ModulePath.' }
        @{ Type = 'GammapyTools.PowerShell.Cmdlets.GammapyToolsAssemblyInfo'; Description = 'With -ListAssembly: one object per assembly with Name, Version, InformationalVersion and Location.' }
    )
    Notes       = @('The module needs PowerShell 7.6 or later (it runs on .NET 10).')
    Examples    = @(
        @{ Title = 'Show the loaded versions'; Code = 'Get-GammapyToolsVersion'; Remarks = 'Returns one object describing the module, core, PowerShell and .NET versions.' }
        @{ Title = 'Find out which DLLs are loaded'; Code = 'Get-GammapyToolsVersion -ListAssembly | Format-Table Name, InformationalVersion, Location'; Remarks = 'Lists the module''s assemblies and the files they were loaded from.' }
    )
    Links       = @('Get-Module')
}
