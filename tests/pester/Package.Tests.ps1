# The module as a user installs it: tools/New-ModulePackage.ps1 on the tested build (module/bin),
# the package's layout, Install-PSResource and Install-Module from a local folder repository, and
# Get-Run auto-loaded in a fresh pwsh. Each pwsh runs with HOME set to a temporary folder, so the
# repository registration and the CurrentUser install land there and not in the user's profile.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "gpt-package-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $script:Work | Out-Null
    $script:Version = (Import-PowerShellDataFile (Join-Path $script:RepoRoot 'GammapyTools.psd1')).ModuleVersion
    $script:HessFile = (Get-ChildItem (Join-Path $script:RepoRoot 'tests/data/hess-dl3-dr1/data') -Filter '*.fits.gz' | Select-Object -First 1).FullName

    function Invoke-FreshPwsh {
        # Runs $Command in a new pwsh (the same pwsh as this one) with HOME=$HomeDir and no inherited
        # PSModulePath; returns its output lines and throws when it fails.
        param([string] $HomeDir, [string] $Command)
        $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Command) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        # .NET answers "" for a data folder that does not exist (PSResourceGet would then write to the
        # current directory), so the folders are made first.
        foreach ($d in '.local/share', '.cache', '.config') { New-Item -ItemType Directory -Force (Join-Path $HomeDir $d) | Out-Null }
        $psi.Environment['HOME'] = $HomeDir
        $psi.Environment['XDG_DATA_HOME'] = Join-Path $HomeDir '.local/share'
        $psi.Environment['XDG_CACHE_HOME'] = Join-Path $HomeDir '.cache'
        $psi.Environment['XDG_CONFIG_HOME'] = Join-Path $HomeDir '.config'
        $psi.Environment['NO_COLOR'] = '1'
        $psi.Environment.Remove('PSModulePath') | Out-Null
        $p = [Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        if ($p.ExitCode -ne 0 -or $stderr.Result.Trim()) { throw "pwsh -Command failed ($($p.ExitCode)):`n$Command`n$stdout`n$($stderr.Result)" }
        return @($stdout -split "`r?`n" | Where-Object { $_ })
    }

    $pwsh = [Environment]::ProcessPath
    $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    & $pwsh @pwshArgs -NoProfile -NonInteractive -File (Join-Path $script:RepoRoot 'tools/New-ModulePackage.ps1') -OutDir (Join-Path $script:Work 'repo') | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'tools/New-ModulePackage.ps1 failed' }
    $script:Nupkg = Join-Path $script:Work "repo/GammapyTools.$($script:Version).nupkg"
}

AfterAll {
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'GammapyTools.<version>.nupkg' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:Nupkg)
        try { $script:Entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
    }

    It 'holds the manifest, the license, the format file, the Pester assertions, the cmdlet DLL and its help' {
        $script:Nupkg | Should -Exist
        foreach ($e in 'GammapyTools.nuspec', 'GammapyTools.psd1', 'LICENSE', 'module/GammapyTools.Format.ps1xml', 'module/GammapyTools.Pester.psm1',
            'module/bin/GammapyTools.PowerShell.dll', 'module/bin/GammapyTools.Core.dll', 'module/bin/ScottPlot.dll',
            'module/bin/en-US/GammapyTools.PowerShell.dll-Help.xml', 'en-US/about_GammapyTools.help.txt',
            'en-US/about_GammapyTools_Config.help.txt') {
            $script:Entries | Should -Contain $e
        }
        $script:Entries | Where-Object { $_ -like '*.pdb' -or $_ -like '*System.Management.Automation.dll' } | Should -BeNullOrEmpty
    }

    It 'carries SkiaSharp and HarfBuzzSharp native libraries for <Rid>' -ForEach @(
        @{ Rid = 'linux-x64'; Ext = 'so' }, @{ Rid = 'linux-arm64'; Ext = 'so' }, @{ Rid = 'osx'; Ext = 'dylib' }, @{ Rid = 'win-x64'; Ext = 'dll' }) {
        $script:Entries | Should -Contain "module/bin/runtimes/$Rid/native/libSkiaSharp.$Ext"
        $script:Entries | Should -Contain "module/bin/runtimes/$Rid/native/libHarfBuzzSharp.$Ext"
    }

    It 'carries no native library outside runtimes/<rid>/native and no other platform' {
        $script:Entries | Where-Object { $_ -match '\.(so|dylib)$|/lib[^/]*\.dll$' -and $_ -notlike 'module/bin/runtimes/*/native/*' } | Should -BeNullOrEmpty
        $rids = $script:Entries | Where-Object { $_ -like 'module/bin/runtimes/*' } | ForEach-Object { ($_ -split '/')[3] } | Sort-Object -Unique
        $rids | Should -Be @('linux-arm64', 'linux-x64', 'osx', 'win-x64')
    }

    It 'has a manifest that Test-ModuleManifest accepts, listing every cmdlet, the license and PowerShell 7.6 Core' {
        $dir = Join-Path $script:Work 'manifest'
        Expand-Archive $script:Nupkg $dir -Force
        $m = Test-ModuleManifest (Join-Path $dir 'GammapyTools.psd1') -ErrorAction Stop
        $m.PowerShellVersion | Should -Be ([version]'7.6')
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.Tags | Should -Contain 'gamma-ray'
        $m.Description | Should -Not -BeNullOrEmpty
        $m.ExportedCmdlets.Keys | Should -Contain 'Get-Run'
        $m.ExportedCmdlets.Keys | Should -Not -Contain '*'
        Get-Content (Join-Path $dir 'LICENSE') -Raw | Should -Match 'BSD 3-Clause(.|\n)*Copyright \(c\) 2026, GammapyTools developers'
    }
}

Describe 'Installing the package from a local repository' {
    It 'Install-PSResource installs it, and a fresh pwsh auto-loads Get-Run and finds the native library for this platform' {
        $homeDir = Join-Path $script:Work 'home-psresourceget'
        New-Item -ItemType Directory $homeDir | Out-Null
        $repo = Join-Path $script:Work 'repo'
        Invoke-FreshPwsh $homeDir "Register-PSResourceRepository -Name GammapyToolsLocal -Uri '$repo' -Trusted; Install-PSResource GammapyTools -Repository GammapyToolsLocal -Scope CurrentUser -TrustRepository -Quiet" | Out-Null
        $installed = Join-Path $homeDir ".local/share/powershell/Modules/GammapyTools/$($script:Version)"
        Join-Path $installed 'GammapyTools.psd1' | Should -Exist

        # No Import-Module: the cmdlet is found through PSModulePath (CmdletsToExport) and auto-loaded;
        # the import registers the native-library loader, so SkiaSharp starts from runtimes/<rid>/native.
        $bin = Join-Path $installed 'module/bin'
        $out = Invoke-FreshPwsh $homeDir ("(Get-Run -Path '$($script:HessFile)').ObsId; (Get-Module GammapyTools).ModuleBase; (Get-Help about_GammapyTools | Out-String) -match 'THE WORKFLOW'; " +
            "Add-Type -Path '$bin/SkiaSharp.dll'; [SkiaSharp.SKBitmap]::new(4, 4).Width; [System.Diagnostics.Process]::GetCurrentProcess().Modules.FileName -like '*libSkiaSharp*'")
        $out[0] | Should -Be '23523'
        $out[1] | Should -Be $installed
        $out[2] | Should -Be 'True'
        $out[3] | Should -Be '4'
        $out[4] | Should -BeLike "$bin/runtimes/*/native/libSkiaSharp.*"

        # Without the module's loader (SkiaSharp loaded by hand, no import) the library is not found.
        $without = Invoke-FreshPwsh $homeDir "Add-Type -Path '$bin/SkiaSharp.dll'; try { [SkiaSharp.SKBitmap]::new(4, 4) | Out-Null; 'loaded' } catch { 'not loaded' }"
        $without | Should -Be 'not loaded'
    }

    It 'Install-Module (PowerShellGet) installs it too' {
        $homeDir = Join-Path $script:Work 'home-powershellget'
        New-Item -ItemType Directory $homeDir | Out-Null
        $repo = Join-Path $script:Work 'repo'
        $out = Invoke-FreshPwsh $homeDir ("Register-PSRepository -Name GammapyToolsLocal -SourceLocation '$repo' -InstallationPolicy Trusted; " +
            "Install-Module GammapyTools -Repository GammapyToolsLocal -Scope CurrentUser; (Get-Module GammapyTools -ListAvailable).ModuleBase")
        $out | Should -Be (Join-Path $homeDir ".local/share/powershell/Modules/GammapyTools/$($script:Version)")
    }
}
