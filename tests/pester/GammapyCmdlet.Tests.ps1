# Tests of the GammapyCmdlet base-class helpers through a throw-away cmdlet compiled with Add-Type.

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'GammapyTools.psd1') -Force
    $dll = Join-Path $repoRoot 'module/bin/GammapyTools.PowerShell.dll'
    $sma = [System.Management.Automation.PSCmdlet].Assembly.Location
    if (-not ('TestGammapyHelperCommand' -as [type])) {
        # CS1701: the module is compiled against PowerShellStandard's SMA 3.0.0.0; pwsh has 7.6.
        $type = Add-Type -IgnoreWarnings -CompilerOptions '-nowarn:CS1701' -ReferencedAssemblies $dll, $sma -PassThru -TypeDefinition @'
using System.Management.Automation;
[Cmdlet(VerbsDiagnostic.Test, "GammapyHelper")]
public class TestGammapyHelperCommand : GammapyTools.PowerShell.Cmdlets.GammapyCmdlet
{
    [Parameter(Position = 0)] public string[] Path { get; set; } = new string[0];
    [Parameter] public string Unresolved { get; set; }
    [Parameter] public SwitchParameter LiteralPath { get; set; }
    [Parameter] public object ErrorTarget { get; set; }
    protected override void ProcessRecord()
    {
        if (Unresolved != null) { WriteObject(ResolveUserPath(Unresolved)); return; }
        if (ErrorTarget != null)
        {
            WriteFileError(new System.IO.InvalidDataException("bad NAXIS2"), "BadFits", ErrorCategory.InvalidData, ErrorTarget);
            return;
        }
        var files = ResolveFilePaths(Path, LiteralPath.IsPresent);
        for (int i = 0; i < files.Count; i++)
        {
            ReportProgress("Reading", files[i], i + 1, files.Count);
            WriteObject(files[i]);
        }
    }
}
'@
        Import-Module -Assembly $type[0].Assembly
    }
    $script:dir = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "gammapy-helper-$PID-$(Get-Random)")
    1..3 | ForEach-Object { Set-Content (Join-Path $script:dir "run_$_.fits") 'x' }
    New-Item -ItemType Directory (Join-Path $script:dir 'sub') | Out-Null
    Push-Location $script:dir
}

AfterAll {
    Pop-Location
    Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'GammapyCmdlet helpers' {
    It 'resolves a relative path against the PowerShell location, not the process directory' {
        Test-GammapyHelper -Unresolved 'out/x.fits' | Should -Be (Join-Path $script:dir.FullName 'out/x.fits')
    }

    It 'expands wildcards to files only' {
        $files = Test-GammapyHelper -Path '*'
        $files.Count | Should -Be 3
        $files | ForEach-Object { $_ | Should -BeLike '*run_?.fits' }
    }

    It 'writes a non-terminating error naming a path that matches nothing, and continues' {
        $files = Test-GammapyHelper -Path 'nope_*.fits', 'run_1.fits' -ErrorVariable ev -ErrorAction SilentlyContinue
        $files.Count | Should -Be 1
        $ev.Count | Should -Be 1
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be 'nope_*.fits'
        "$($ev[0])" | Should -BeLike '*nope_*.fits*'
    }

    It 'treats -LiteralPath literally' {
        Test-GammapyHelper -Path 'run_*.fits' -LiteralPath -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
    }

    It 'builds file errors with the file as target and in the message' {
        Test-GammapyHelper -ErrorTarget '/data/run_000123.fits.gz' -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'BadFits,*'
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $ev[0].TargetObject | Should -Be '/data/run_000123.fits.gz'
        "$($ev[0])" | Should -Be '/data/run_000123.fits.gz: bad NAXIS2'
    }

    It 'names a run (ObsId and Path) in the message' {
        $run = [pscustomobject]@{ ObsId = 64080; Path = '/data/run_064080.fits.gz' }
        Test-GammapyHelper -ErrorTarget $run -ErrorVariable ev -ErrorAction SilentlyContinue
        "$($ev[0])" | Should -Be 'run 64080 (/data/run_064080.fits.gz): bad NAXIS2'
    }

    It 'stops the batch with -ErrorAction Stop' {
        { Test-GammapyHelper -Path 'nope.fits' -ErrorAction Stop } | Should -Throw '*nope.fits*'
    }
}
