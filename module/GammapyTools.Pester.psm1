# Pester 5 assertions for sky maps (issue 15), loaded by GammapyTools.psd1 as a nested module:
#   $map | Should -BeSignalFree [-MaxSignificance 3] [-MaxOffSignificance 5]
#   $map | Should -HaveGaussianSignificance [-Tolerance 0.1]
# They take a SkyMap (New-SkyMap), a Test-MimicDataset row, or a Test-MimicDataset result (then every
# one of its mimic rows is judged). They are registered only when Pester 5 is already loaded when the
# module is imported (as in Invoke-Pester, or after Import-Module Pester): importing GammapyTools never
# loads Pester itself. This file exports nothing (FunctionsToExport = @() in the manifest).

# The objects judged: a map or row as it is; a Test-MimicDataset result: its mimic rows.
function Get-SkyMapSubject([object] $Value) {
    if ($null -eq $Value) { return }
    $p = $Value.PSObject.Properties
    if ($p['Mimic'] -and $p['Rows']) { return @($Value.Mimic) }
    if ($p['SignificanceAtTarget'] -and $p['OffMean'] -and $p['OffWidth']) { return $Value }
}

# "mimic_2" for a row, "the map of 2 runs at 83.633 22.014" for a map.
function Get-SkyMapName([object] $Map) {
    if ($Map.PSObject.Properties['Dataset']) { return $Map.Dataset }
    $runs = $Map.RunCount
    '{0} of {1} run{2} at {3:0.###} {4:0.###}' -f 'the map', $runs, $(if ($runs -eq 1) { '' } else { 's' }), $Map.Target.Ra, $Map.Target.Dec
}

function Get-BecauseText([string] $Because) {
    if ($Because) { " because $($Because.Trim())," } else { '' }
}

function Invoke-EachSkyMap([object] $ActualValue, [string] $What, [scriptblock] $Judge) {
    # Runs $Judge on each subject; returns (ok, message) of the first failing one, or the last one's.
    $subjects = @(Get-SkyMapSubject $ActualValue)
    if ($subjects.Count -eq 0) {
        $type = if ($null -eq $ActualValue) { '$null' } else { $ActualValue.GetType().FullName }
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected a sky map (New-SkyMap) or a Test-MimicDataset row or result to $What, but got $type." }
    }
    $results = foreach ($s in $subjects) { & $Judge $s }
    $failed = @($results | Where-Object { -not $_.Ok })
    [pscustomobject]@{ Ok = $failed.Count -eq 0; Results = @($results); Failed = $failed }
}

function Test-SkyMapSignalFree {
    # Passes when |SignificanceAtTarget| < MaxSignificance (default 3) and, only when -MaxOffSignificance
    # is given, |MaxOffSignificance| < it. A value that is not a number fails.
    param($ActualValue, [double] $MaxSignificance = 3, [double] $MaxOffSignificance = [double]::NaN,
        [switch] $Negate, [string] $Because, $CallerSessionState)
    $check = Invoke-EachSkyMap $ActualValue 'be signal-free' {
        param($m)
        $sigma = [double]$m.SignificanceAtTarget
        $problems = @()
        if (-not ([Math]::Abs($sigma) -lt $MaxSignificance)) { $problems += ('|σ at target| = {0:0.00} ≥ {1}' -f [Math]::Abs($sigma), $MaxSignificance) }
        if (-not [double]::IsNaN($MaxOffSignificance) -and -not ([Math]::Abs([double]$m.MaxOffSignificance) -lt $MaxOffSignificance)) {
            $problems += ('|max σ off the exclusions| = {0:0.00} ≥ {1}' -f [Math]::Abs([double]$m.MaxOffSignificance), $MaxOffSignificance)
        }
        $numbers = 'σ at target {0:0.00} (counts {1:0.#}, background {2:0.0}), max off σ {3:0.00}' -f $sigma, [double]$m.CountsAtTarget, [double]$m.BackgroundAtTarget, [double]$m.MaxOffSignificance
        [pscustomobject]@{ Ok = $problems.Count -eq 0; Name = (Get-SkyMapName $m); Problems = $problems; Numbers = $numbers }
    }
    if ($check.PSObject.Properties['FailureMessage']) { return $check }
    $because = Get-BecauseText $Because
    if ($Negate) {
        $clean = @($check.Results | Where-Object Ok)
        return [pscustomobject]@{
            Succeeded      = -not $check.Ok
            FailureMessage = if ($check.Ok) { "Expected $($clean[0].Name) not to be signal-free,$because but it is: $($clean[0].Numbers) (limit |σ| < $MaxSignificance)." }
        }
    }
    $f = $check.Failed | Select-Object -First 1
    [pscustomobject]@{
        Succeeded      = $check.Ok
        FailureMessage = if (-not $check.Ok) { "Expected $($f.Name) to be signal-free,$because but $($f.Problems -join ' and '): $($f.Numbers)." }
    }
}

function Test-SkyMapGaussianSignificance {
    # Passes when the significances outside the exclusions are N(0, 1) within Tolerance (default 0.1):
    # |OffMean| < Tolerance and |OffWidth - 1| < Tolerance. A value that is not a number fails.
    param($ActualValue, [double] $Tolerance = 0.1, [switch] $Negate, [string] $Because, $CallerSessionState)
    $check = Invoke-EachSkyMap $ActualValue 'have Gaussian significances' {
        param($m)
        $mu = [double]$m.OffMean; $width = [double]$m.OffWidth
        $problems = @()
        if (-not ([Math]::Abs($mu) -lt $Tolerance)) { $problems += ('|μ| = {0:0.000} ≥ {1}' -f [Math]::Abs($mu), $Tolerance) }
        if (-not ([Math]::Abs($width - 1) -lt $Tolerance)) { $problems += ('|width − 1| = {0:0.000} ≥ {1}' -f [Math]::Abs($width - 1), $Tolerance) }
        $numbers = 'μ = {0:0.000}, width = {1:0.000} over {2} pixels' -f $mu, $width, $m.OffPixels
        [pscustomobject]@{ Ok = $problems.Count -eq 0; Name = (Get-SkyMapName $m); Problems = $problems; Numbers = $numbers }
    }
    if ($check.PSObject.Properties['FailureMessage']) { return $check }
    $because = Get-BecauseText $Because
    if ($Negate) {
        $good = @($check.Results | Where-Object Ok)
        return [pscustomobject]@{
            Succeeded      = -not $check.Ok
            FailureMessage = if ($check.Ok) { "Expected the significances outside the exclusions of $($good[0].Name) not to be N(0, 1) within $Tolerance,$because but $($good[0].Numbers)." }
        }
    }
    $f = $check.Failed | Select-Object -First 1
    [pscustomobject]@{
        Succeeded      = $check.Ok
        FailureMessage = if (-not $check.Ok) { "Expected the significances outside the exclusions of $($f.Name) to be N(0, 1) within $Tolerance,$because but $($f.Numbers): $($f.Problems -join ' and ')." }
    }
}

# Registered only with Pester 5 already loaded (Get-Module first: Get-Command alone would auto-load
# Pester; Add-ShouldOperator is Pester 5's, Pester 4 had Add-AssertionOperator). Re-importing the module registers the same script blocks again, which Pester accepts; a different
# version of them (another copy of the module in the same session) keeps the first and says so.
if ((Get-Module Pester) -and (Get-Command Add-ShouldOperator -Module Pester -ErrorAction Ignore)) {
    foreach ($op in @(
            @{ Name = 'BeSignalFree'; Test = ${function:Test-SkyMapSignalFree} }
            @{ Name = 'HaveGaussianSignificance'; Test = ${function:Test-SkyMapGaussianSignificance} })) {
        try { Add-ShouldOperator -Name $op.Name -Test $op.Test }
        catch { Write-Verbose "Should -$($op.Name) is already registered by another copy of GammapyTools; that one is used: $_" }
    }
}
