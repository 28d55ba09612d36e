# Dot-source in BeforeAll:  . (Join-Path $PSScriptRoot 'Support/SimulatedCampaign.ps1')

# Opens the observing-condition cuts of a config wide, so that in a small simulated store every run
# with the target's N_TELS is a candidate for every target (the tests are about what comes after).
function Set-OpenMatching {
    param([Parameter(Mandatory)] $Config)
    $Config.background_selection.nsb_diff = 20
    $Config.background_selection.el_diff = 5
    $Config.background_selection.az_diff = 180
    $Config.background_selection.time_max = 100000
}
