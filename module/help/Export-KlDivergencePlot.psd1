@{
    Synopsis    = 'Writes a bar chart of KL divergences of candidate background runs (from Get-KlDivergence or Find-MimicRun), most similar run first.'
    Description = @(
        'Export-KlDivergencePlot collects objects with ObsId and KlDivergence properties from the pipeline (the output of Get-KlDivergence or Find-MimicRun) and draws them as bars sorted from the lowest divergence (most similar model) up, labelled with their OBS_IDs (up to 40 runs; beyond, by rank), with a dashed line at KL = 1: candidates at or above it are not used for mimic datasets (questionable large_kl).'
        'The PNG is written to a temporary file and renamed into place; an existing file is not replaced without -Force.'
    )
    Parameters  = @{
        ObsId        = 'OBS_ID of a candidate run, by property name from the pipeline.'
        KlDivergence = 'KL divergence of the candidate''s background model from the target''s, by property name from the pipeline.'
        Path         = 'The PNG file to write.'
        Title        = 'Title of the chart.'
        Width        = 'Image width in pixels (default 1200).'
        Height       = 'Image height in pixels (default 600).'
        Force        = 'Overwrite an existing PNG.'
    }
    Inputs      = @(@{ Type = 'GammapyTools.Background.KlDivergenceResult'; Description = 'Objects with ObsId and KlDivergence, by property name.' })
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The PNG written.' })
    Examples    = @(
        @{ Title = 'Rank a store''s models against one run'; Code = '$runs = Get-Run -DataStore ./store; $runs | Get-KlDivergence -Reference $runs[0] | Export-KlDivergencePlot ./kl.png -Title "KL against run $($runs[0].ObsId)"'; Remarks = 'The bars are sorted: the most similar runs come first.' }
    )
    Links       = @('Get-KlDivergence', 'Find-MimicRun', 'Export-BackgroundModelPlot')
}
