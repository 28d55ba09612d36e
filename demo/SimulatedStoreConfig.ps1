# Dot-sourced by Invoke-Demo.ps1 and New-ExamplesFolder.ps1: the config settings that make a
# gammapy-tools config work on a small simulated store (New-SimulatedDataStore).

function Set-SimulatedStoreSettings {
    param([Parameter(Mandatory)] $Config, [Parameter(Mandatory)] [int] $MimicCount)
    # The simulated store is small: loosen the matching so every target finds background runs.
    $Config.background_selection.nsb_diff = 3
    $Config.background_selection.el_diff = 0.5
    $Config.background_selection.az_diff = 90
    $Config.background_selection.time_max = 400
    $Config.background_selection.time_request = 3
    $Config.background_selection.n_mimic = $MimicCount
    # The template's binning (10 log bins 0.1–100 TeV, offsets 0–2.5° in 5 bins) differs from the
    # simulated store's models (20 bins 0.05–100 TeV, 0–3° by 0.25°): KL compares them on their
    # common grid, so the template's binning is kept.
}
