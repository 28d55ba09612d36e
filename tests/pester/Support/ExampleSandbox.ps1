# Runs documentation code in the examples folder (demo/New-ExamplesFolder.ps1 makes it; what it
# holds is described there and in about_GammapyTools). Dot-source, then:
#   Invoke-Example -Template <examples folder> -Code '...' -Manifest <psd1>   # in a fresh copy

function Invoke-Example {
    # Runs each of $Code in turn in one new runspace (module imported, nothing else defined) whose
    # current folder is a fresh copy of the template, as a user types them in one session. Returns
    # @{ Output; Errors; Folder }: Errors holds every error record and exception, prefixed with the
    # number of the piece of code that wrote it (an example that writes an error is broken).
    param([Parameter(Mandatory)] [string] $Template, [Parameter(Mandatory)] [string[]] $Code, [Parameter(Mandatory)] [string] $Manifest)
    $folder = Join-Path ([IO.Path]::GetTempPath()) "gpt-example-$([guid]::NewGuid().ToString('N'))"
    Copy-Item $Template $folder -Recurse
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    # Code with Should (the README's "Verify a workflow with Pester") gets the Pester that runs the
    # tests, imported before the module as a user has it, so that the module registers its assertions.
    # (The initial session state imports modules given by path before those given by name, so the module
    # is then imported by the first script instead.)
    $pester = Get-Module Pester | Where-Object { $_.Version.Major -ge 5 } | Select-Object -First 1
    $withPester = $pester -and ($Code -match '\bShould\b')
    if ($withPester) { $iss.ImportPSModule([string[]]@((Join-Path $pester.ModuleBase 'Pester.psd1'))) } else { $iss.ImportPSModule($Manifest) }
    $ps = [powershell]::Create($iss)
    $errors = [System.Collections.Generic.List[string]]::new()
    $output = [System.Text.StringBuilder]::new()
    try {
        if ($withPester) { $null = $ps.AddScript('param($Manifest) Import-Module $Manifest').AddArgument($Manifest).Invoke(); $ps.Commands.Clear() }
        $null = $ps.AddScript('param($Folder) Set-Location -LiteralPath $Folder; $ProgressPreference = ''SilentlyContinue''').AddArgument($folder).Invoke()
        for ($i = 0; $i -lt $Code.Count; $i++) {
            $ps.Commands.Clear()
            $ps.Streams.ClearStreams()
            try {
                # Out-String renders what the code formats (Format-Table, views), as a console would;
                # dot-sourced so that its variables stay for the next piece of code.
                foreach ($o in $ps.AddScript(". { $($Code[$i]) } | Out-String -Width 150").Invoke()) { $null = $output.Append($o) }
            }
            catch { $errors.Add("[$($i + 1)] $($_.Exception.InnerException?.Message ?? $_.Exception.Message)") }
            foreach ($e in $ps.Streams.Error) { $errors.Add("[$($i + 1)] $e") }
        }
    }
    finally { $ps.Dispose() }
    [pscustomobject]@{ Output = $output.ToString(); Errors = $errors; Folder = $folder }
}
