#requires -Version 7.6
<#
.SYNOPSIS
    Writes the MAML help file of the binary cmdlets from one small data file per cmdlet.
.DESCRIPTION
    Each module/help/<Verb-Noun>.psd1 holds the words (synopsis, description, one sentence or more
    per parameter, inputs, outputs, notes, examples, links, and Defaults = @{ Param = 'text' } for a
    default computed at run time; other defaults are read from a new cmdlet object). The parameter facts (sets, type,
    mandatory, position, pipeline input, aliases, wildcards) come from the compiled cmdlet itself,
    so the help can never disagree with the code. A cmdlet without a help file, a parameter
    without a description, or a description of a parameter that does not exist stops the build.

    Run by build.ps1 in a child pwsh (so the DLL is not locked in the build process):
        pwsh -File module/help/Build-Help.ps1 -ModuleDll module/bin/GammapyTools.PowerShell.dll -OutFile module/bin/en-US/GammapyTools.PowerShell.dll-Help.xml
#>
param(
    [Parameter(Mandatory)] [string] $ModuleDll,
    [Parameter(Mandatory)] [string] $OutFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module (Resolve-Path $ModuleDll).Path -PassThru -Force
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
$helpDir = $PSScriptRoot
$problems = [System.Collections.Generic.List[string]]::new()

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
New-Item -ItemType Directory -Force -Path (Split-Path $OutFile) | Out-Null
$tmp = "$OutFile.tmp"
$w = [System.Xml.XmlWriter]::Create($tmp, $settings)

function Para([string[]] $Text) { foreach ($t in $Text) { $w.WriteElementString('para', $ns.maml, $t) } }
function Description([string[]] $Text) { $w.WriteStartElement('description', $ns.maml); Para $Text; $w.WriteEndElement() }

function Get-TypeName([type] $Type) {
    # What the syntax line shows: Int64 for Nullable`1[Int64], String[] for arrays, no generic arity.
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { return Get-TypeName $inner }
    if ($Type.IsArray) { return "$(Get-TypeName $Type.GetElementType())[]" }
    if ($Type.IsGenericType) { return "$($Type.Name -replace '`\d+$')[$(($Type.GetGenericArguments() | ForEach-Object { Get-TypeName $_ }) -join ', ')]" }
    return $Type.Name
}

function Get-DefaultText($Instance, [string] $Name, $Overrides) {
    # The help file's Defaults entry when it has one (a default computed at run time), else the
    # property's initial value on a new cmdlet object; no value is "None".
    if ($Overrides -and $Overrides.ContainsKey($Name)) { return [string]$Overrides[$Name] }
    if ($null -eq $Instance) { return 'None' }
    $value = $Instance.GetType().GetProperty($Name).GetValue($Instance)
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $value.IsPresent.ToString() }
    if ($null -eq $value -or ($value -is [array] -and $value.Count -eq 0) -or ($value -is [string] -and $value -eq '')) { return 'None' }
    if ($value -is [array]) { return ($value | ForEach-Object { [string]$_ }) -join ', ' }
    return [System.Convert]::ToString($value, [cultureinfo]::InvariantCulture)
}

# -WhatIf and -Confirm are common parameters, but users look for them in the syntax of a writer.
$shouldProcessText = @{
    WhatIf  = 'Shows what would be written without writing anything.'
    Confirm = 'Asks for confirmation before each file or folder is written.'
}

function Write-Parameter($Parameter, $SetInfo, [string] $Text, [bool] $InSyntax, [string] $Default = 'None') {
    $attr = $SetInfo
    $pipeline = @()
    if ($attr.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($attr.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $isSwitch = $Parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $globbing = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $w.WriteStartElement('parameter', $ns.command)
    $w.WriteAttributeString('required', $attr.IsMandatory.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', 'true')
    $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($attr.Position -ge 0) { "$($attr.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('name', $ns.maml, $Parameter.Name)
    Description $Text
    if (-not ($isSwitch -and $InSyntax)) {
        $w.WriteStartElement('parameterValue', $ns.command)
        $w.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $w.WriteAttributeString('variableLength', 'false')
        $w.WriteString((Get-TypeName $Parameter.ParameterType))
        $w.WriteEndElement()
    }
    $w.WriteStartElement('type', $ns.dev); $w.WriteElementString('name', $ns.maml, (Get-TypeName $Parameter.ParameterType)); $w.WriteEndElement()
    $w.WriteElementString('defaultValue', $ns.dev, $Default)
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $helpDir "$($cmd.Name).psd1"
    if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help file module/help/$($cmd.Name).psd1"); continue }
    $help = Import-PowerShellDataFile $file
    $paramText = $help.Parameters
    $own = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }
    foreach ($p in $own) { if (-not $paramText.ContainsKey($p.Name)) { $problems.Add("$($cmd.Name): parameter -$($p.Name) has no description") } }
    foreach ($k in $paramText.Keys) { if ($k -notin $own.Name) { $problems.Add("$($cmd.Name): help describes -$k, which the cmdlet does not have") } }
    if (-not $help.Examples) { $problems.Add("$($cmd.Name): no example") }
    $defaults = $help['Defaults']
    if ($defaults) { foreach ($k in $defaults.Keys) { if ($k -notin $own.Name) { $problems.Add("$($cmd.Name): help gives a default for -$k, which the cmdlet does not have") } } }
    $instance = try { [Activator]::CreateInstance($cmd.ImplementingType) } catch { $null }
    $shouldProcess = @($cmd.Parameters.Keys) -contains 'WhatIf'
    $shown = @($own) + @(if ($shouldProcess) { $cmd.Parameters['WhatIf'], $cmd.Parameters['Confirm'] })

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('details', $ns.command)
    $w.WriteElementString('name', $ns.command, $cmd.Name)
    $w.WriteElementString('verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('noun', $ns.command, $cmd.Noun)
    Description $help.Synopsis
    $w.WriteEndElement()
    Description $help.Description

    $w.WriteStartElement('syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $cmd.Name)
        $inSyntax = $set.Parameters | Where-Object { $_.Name -notin $common -or ($shouldProcess -and $_.Name -in 'WhatIf', 'Confirm') }
        foreach ($sp in $inSyntax | Sort-Object { if ($_.Position -ge 0) { $_.Position } elseif ($_.Name -in 'WhatIf', 'Confirm') { 2000 } else { 1000 } }) {
            $p = $cmd.Parameters[$sp.Name]
            $text = if ($paramText.ContainsKey($sp.Name)) { [string]$paramText[$sp.Name] } else { $shouldProcessText[$sp.Name] }
            Write-Parameter $p $sp $text $true
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('parameters', $ns.command)
    foreach ($p in $shown | Sort-Object Name) {
        $first = $cmd.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -eq $p.Name } | Select-Object -First 1
        if ($p.Name -in $own.Name) { Write-Parameter $p $first ([string]($paramText[$p.Name])) $false (Get-DefaultText $instance $p.Name $defaults) }
        else { Write-Parameter $p $first $shouldProcessText[$p.Name] $false 'False' }
    }
    $w.WriteEndElement()

    foreach ($kind in 'input', 'return') {
        $items = if ($kind -eq 'input') { $help.Inputs } else { $help.Outputs }
        $w.WriteStartElement($(if ($kind -eq 'input') { 'inputTypes' } else { 'returnValues' }), $ns.command)
        foreach ($item in @($items)) {
            if (-not $item) { continue }
            $w.WriteStartElement($(if ($kind -eq 'input') { 'inputType' } else { 'returnValue' }), $ns.command)
            $w.WriteStartElement('type', $ns.dev); $w.WriteElementString('name', $ns.maml, $item.Type); $w.WriteEndElement()
            Description $item.Description
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    if ($help.ContainsKey('Notes')) {
        $w.WriteStartElement('alertSet', $ns.maml); $w.WriteStartElement('alert', $ns.maml); Para $help.Notes; $w.WriteEndElement(); $w.WriteEndElement()
    }

    $w.WriteStartElement('examples', $ns.command)
    $i = 0
    foreach ($ex in @($help.Examples)) {
        $i++
        $w.WriteStartElement('example', $ns.command)
        $w.WriteElementString('title', $ns.maml, "Example $($i): $($ex.Title)")
        $w.WriteElementString('code', $ns.dev, $ex.Code)
        $w.WriteStartElement('remarks', $ns.dev); Para $ex.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('relatedLinks', $ns.command)
    foreach ($link in @($help.Links) + 'about_GammapyTools') {
        if (-not $link) { continue }
        $w.WriteStartElement('navigationLink', $ns.maml); $w.WriteElementString('linkText', $ns.maml, $link); $w.WriteElementString('uri', $ns.maml, ''); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()

# The manifest lists its cmdlets (so that pwsh can auto-load them); it must name exactly the compiled ones.
$manifestPath = Join-Path $PSScriptRoot '../../GammapyTools.psd1'
$listed = @((Import-PowerShellDataFile $manifestPath).CmdletsToExport)
$compiled = @(Get-Command -Module $module.Name -CommandType Cmdlet | ForEach-Object Name)
$notListed = @($compiled | Where-Object { $_ -notin $listed } | Sort-Object)
$notCompiled = @($listed | Where-Object { $_ -notin $compiled } | Sort-Object)
if ($notListed -or $notCompiled) {
    $message = "GammapyTools.psd1 CmdletsToExport does not match the compiled cmdlets."
    if ($notListed) { $message += "`n  add to CmdletsToExport: $($notListed -join ', ')" }
    if ($notCompiled) { $message += "`n  remove from CmdletsToExport (no such cmdlet): $($notCompiled -join ', ')" }
    $problems.Add($message)
}

if ($problems.Count) {
    Remove-Item $tmp -Force
    throw "Cmdlet help or manifest is incomplete:`n  $($problems -join "`n  ")"
}
Move-Item $tmp $OutFile -Force

# about_ topics (module/en-US) go to en-US beside the manifest (the module base, where Get-Help looks
# for them; ignored by git); {{CONFIG_KEYS}} becomes the key list of the compiled config schema, so
# the topic cannot drift from what Import-GammapyToolsConfig accepts.
$aboutDir = Join-Path $PSScriptRoot '../../en-US'
New-Item -ItemType Directory -Force $aboutDir | Out-Null
$keyLines = foreach ($section in [GammapyTools.Config.ConfigSchema]::TopLevel) {
    $keys = [GammapyTools.Config.ConfigSchema]::KeysOf($section.Name)
    if (-not $keys) { continue }
    "    $($section.Name)"
    foreach ($k in $keys) {
        $default = if ($null -eq $k.Default) { '-' } elseif ($k.Default -is [System.Collections.IEnumerable] -and $k.Default -isnot [string]) { '[' + (@($k.Default) -join ', ') + ']' } else { [System.Convert]::ToString($k.Default, [cultureinfo]::InvariantCulture) }
        $name = if ($k.InTemplate) { $k.Name } else { "$($k.Name)*" }
        "        {0,-20} {1,-8} {2,-22} {3}" -f $name, $k.Kind, $default, $k.Description
    }
}
foreach ($topic in Get-ChildItem (Join-Path $PSScriptRoot '../en-US') -Filter 'about_*.help.txt') {
    $text = (Get-Content -Raw $topic.FullName).Replace('{{CONFIG_KEYS}}', ($keyLines -join [Environment]::NewLine))
    Set-Content -Path (Join-Path $aboutDir $topic.Name) -Value $text -NoNewline
}
Write-Host "    help written for $((Get-Command -Module $module.Name -CommandType Cmdlet).Count) cmdlet(s) and the about_ topics: $OutFile"
