<#
.SYNOPSIS
    The null test on real data: for H.E.S.S. DR1 run lists, the module's ring-background sky maps of
    the original runs and of every mimic dataset next to gammapy 1.0's maps of the same files.

.DESCRIPTION
    For the Crab (4 runs), PKS 2155-304 (the 6 runs of 2008) and MSH 15-52 (6 runs): Invoke-PrepareDataset
    -> Invoke-MakeBackground -> Invoke-MimicDataset (n_mimic 5, seed 42, widened el/az/time cuts, the
    whole release as search store), then SkyMapMaker (New-SkyMap's core) and tests/interop/ring_skymap.py
    (gammapy) on out_dir and mimic_1..5 with the issue's parameters (4 deg x 4 deg, 0.02 deg bins,
    E > 0.7 TeV, ring 0.6 deg + 0.133 deg, theta 0.0894 deg, offset_max 1.75 deg, exclusion 0.35 deg).
    Prints one table row per dataset: sigma at the target, off mu and width, ours and gammapy's.
    Science, not speed: this is the measurement quoted in bench/RESULTS.md.

.EXAMPLE
    dotnet pwsh ./bench/Measure-NullTest.ps1 -Work /tmp/nulltest
#>
param(
    [string] $Work = (Join-Path ([IO.Path]::GetTempPath()) "gpt-nulltest-$PID"),
    [string] $Hess = (Join-Path $PSScriptRoot '../../shared/data/hess-dl3-dr1')
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $repo 'GammapyTools.psd1') -Force
$Hess = (Resolve-Path $Hess).Path
$gammacat = Join-Path $repo 'tests/data/catalogs/gammacat.fits.gz'
$all = @(Get-Run -DataStore $Hess)
$fields = @(
    @{ Name = 'Crab'; Ra = 83.6333; Dec = 22.0145; Runs = @(23523, 23526, 23559, 23592) }
    @{ Name = 'PKS 2155-304'; Ra = 329.71694; Dec = -30.22559; Runs = @(47802, 47803, 47804, 47827, 47828, 47829) }
    @{ Name = 'MSH 15-52'; Ra = 228.529; Dec = -59.157; Runs = @($all | Where-Object Object -eq 'MSH 15-5-02' | Sort-Object ObsId | Select-Object -First 6).ObsId }
)
$rows = foreach ($f in $fields) {
    $root = Join-Path $Work ($f.Name -replace '[^A-Za-z0-9]', '')
    $cfg = New-GammapyToolsConfig
    $cfg.io.search_datastore = $Hess
    $cfg.io.in_dir = Join-Path $root 'in'
    $cfg.io.out_dir = Join-Path $root 'out'
    $cfg.run_selection.runlist = $f.Runs
    $cfg.background_selection.n_mimic = 5
    $cfg.background_selection.el_diff = 2
    $cfg.background_selection.az_diff = 180
    $cfg.background_selection.time_max = 10000
    $cfg = Invoke-PrepareDataset -Config $cfg
    $cfg = Invoke-MakeBackground -Config $cfg -Catalog $gammacat -WarningAction SilentlyContinue
    $null = Invoke-MimicDataset -Config $cfg -Seed 42 -Catalog $gammacat -WarningAction SilentlyContinue
    $target = [GammapyTools.Sky.SkyCoord]::new($f.Ra, $f.Dec)
    $params = [GammapyTools.Maps.SkyMapParameters]@{
        Position = $target; EnergyMin = 0.7; EnergyMax = 100; EnergyBins = 22; Width = 4; BinSize = 0.02
        Theta = 0.0894; RingInnerRadius = 0.6; RingWidth = 0.133; OffsetMax = 1.75; ExclusionRadius = 0.35
    }
    $stores = @(@{ Name = 'original'; Dir = $cfg.io.out_dir }) + (1..5 | ForEach-Object { @{ Name = "mimic_$_"; Dir = Join-Path $cfg.io.out_dir "mimic_$_" } })
    foreach ($s in $stores) {
        $runs = [System.Collections.Generic.List[GammapyTools.Dl3.Run]]::new()
        foreach ($r in @(Get-Run -DataStore $s.Dir)) { $runs.Add($r) }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $map = [GammapyTools.Maps.SkyMapMaker]::Make($runs, $params, $null, $null, $s.Dir, [Threading.CancellationToken]::None)
        $ms = $watch.Elapsed.TotalMilliseconds
        $spec = Join-Path $root "$($s.Name).json"
        @{ datastore = $s.Dir; obs_ids = @($runs.ObsId); ra = $f.Ra; dec = $f.Dec; e_min = 0.7; e_max = 100; n_bins = 22; width = 4; binsz = 0.02
            theta = 0.0894; r_in = 0.6; ring_width = 0.133; offset_max = 1.75; exclusion_radius = 0.35; regions = @() } | ConvertTo-Json | Set-Content $spec
        $g = (& /usr/bin/python3 (Join-Path $repo 'tests/interop/ring_skymap.py') $spec (Join-Path $root "$($s.Name)-gammapy") | Select-Object -Last 1) | ConvertFrom-Json
        [pscustomobject]@{
            Field = $f.Name; Dataset = $s.Name; Runs = $runs.Count
            Sigma = [math]::Round($map.SignificanceAtTarget, 2); GammapySigma = [math]::Round($g.sigma_target, 2)
            OffMean = [math]::Round($map.OffMean, 3); GammapyMean = [math]::Round($g.off_mean, 3)
            OffWidth = [math]::Round($map.OffWidth, 3); GammapyWidth = [math]::Round($g.off_std, 3)
            OursMs = [math]::Round($ms); GammapyMs = [math]::Round($g.seconds * 1000)
        }
    }
}
$rows | Format-Table -AutoSize | Out-String -Width 200
