# Documentation that runs: every example of every cmdlet's help (module/help/*.psd1, what
# Get-Help -Examples shows) and every README code block marked ```powershell runnable, each in a
# fresh copy of the examples folder (Support/ExampleSandbox.ps1) and a fresh runspace. An example
# that throws or writes an error fails here under its cmdlet's name and number.

BeforeDiscovery {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:HelpExamples = foreach ($file in Get-ChildItem (Join-Path $repo 'module/help') -Filter '*.psd1' | Sort-Object Name) {
        $i = 0
        foreach ($ex in @((Import-PowerShellDataFile $file.FullName).Examples)) {
            $i++
            @{ Cmdlet = $file.BaseName; Number = $i; Title = $ex.Title; Code = $ex.Code }
        }
    }
    # README blocks fenced as ```powershell runnable
    $readme = Get-Content -Raw (Join-Path $repo 'README.md')
    $script:ReadmeBlocks = @([regex]::Matches($readme, '(?ms)^```powershell runnable\s*\r?\n(.*?)^```') | ForEach-Object {
            $line = ($readme.Substring(0, $_.Index) -split "`n").Count
            @{ Line = $line; Code = $_.Groups[1].Value }
        })
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Manifest = Join-Path $script:RepoRoot 'GammapyTools.psd1'
    Import-Module $script:Manifest -Force
    . (Join-Path $PSScriptRoot 'Support/ExampleSandbox.ps1')
    $script:Template = Join-Path ([IO.Path]::GetTempPath()) "gpt-examples-$([guid]::NewGuid().ToString('N'))"
    & (Join-Path $script:RepoRoot 'demo/New-ExamplesFolder.ps1') -Path $script:Template 6>$null
    $script:Folders = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    foreach ($f in @($script:Folders) + $script:Template) { Remove-Item $f -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Help examples' {
    It '<Cmdlet> example <Number> runs: <Title>' -ForEach $script:HelpExamples {
        $r = Invoke-Example -Template $script:Template -Code $Code -Manifest $script:Manifest
        $script:Folders.Add($r.Folder)
        $r.Errors | Should -BeNullOrEmpty -Because "example $Number of Get-Help $Cmdlet -Examples must run as written:`n$Code`n$($r.Output)"
    }
}

Describe 'README code blocks marked runnable' {
    It 'runs them in order in one session, in the examples folder' -ForEach @(@{ Blocks = $script:ReadmeBlocks }) {
        @($Blocks).Count | Should -BeGreaterThan 0 -Because 'README.md has code blocks fenced as ```powershell runnable'
        $r = Invoke-Example -Template $script:Template -Code @($Blocks | ForEach-Object { $_.Code }) -Manifest $script:Manifest
        $script:Folders.Add($r.Folder)
        $lines = (@($Blocks) | ForEach-Object { "[$([array]::IndexOf(@($Blocks), $_) + 1)] line $($_.Line)" }) -join ', '
        $r.Errors | Should -BeNullOrEmpty -Because "the README's runnable blocks ($lines) must run as written:`n$($r.Output)"
    }
}
