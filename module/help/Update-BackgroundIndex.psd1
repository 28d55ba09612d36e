@{
    Synopsis    = 'Builds or refreshes the index of a data store''s background models, so that candidate searches in a fresh process do not read every run.'
    Description = @(
        'Comparing background models (Find-MimicRun, Get-KlDivergence, Invoke-MimicDataset, Invoke-MakeBackground) needs the model of every run of the search data store; reading it from a .fits.gz run decompresses the whole file. Update-BackgroundIndex reads every run''s background HDU once (in parallel, -ThrottleLimit, with progress) and keeps the models, as they are in the files (bkg_2d or bkg_3d, not re-binned), in one binary file per data store in a cache folder: -CachePath, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. The data store itself is never written and may be read-only.'
        'Each entry is keyed by its file (path relative to the store, size and modification time): a rerun reads again only the runs whose files changed or are new, and drops runs that left the store. The index file has a versioned header and a SHA-256 checksum: a truncated or corrupted index is reported as a warning and rebuilt, never trusted. It is written to a temporary file in the cache folder and renamed into place, so several processes or cluster nodes sharing the folder never read a partial index; two builders at once each write a complete index.'
        'The commands that compare models build the index on first use; running Update-BackgroundIndex first (for example once before submitting a campaign) moves that cost out of every shard. A run whose model cannot be read is a non-terminating error naming the file; the other runs are indexed.'
    )
    Parameters  = @{
        DataStore     = 'The data store(s) to index: a folder with hdu-index.fits[.gz], or the index file itself. Accepts strings from the pipeline.'
        CachePath     = 'Folder of the index files. Default: $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools. Use the same folder (a config''s config.cache_dir, or -CachePath) in the commands that should use the index.'
        ThrottleLimit = 'How many models are read at once (at least 1). Default: the number of processors.'
        Force         = 'Ignore the existing index and read every model again.'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'Data store folders.' })
    Outputs     = @(@{ Type = 'GammapyTools.Background.BackgroundIndexSummary'; Description = 'One per data store: DataStore, IndexPath, Runs (runs with a background model), Reused, Read, Removed, Failed, Rejected (why an existing index was not trusted), Written, WriteError, Elapsed.' })
    Examples    = @(
        @{ Title = 'Index a search store, then search candidates from the index'; Code = '$store = Join-Path ([IO.Path]::GetTempPath()) "bkg-index-example"; $cache = "$store-cache"; New-SimulatedDataStore -Path $store -RunCount 20 -EventsPerRun 200 -Force | Out-Null; Update-BackgroundIndex -DataStore $store -CachePath $cache; $t = Get-Run -DataStore $store | Select-Object -First 1; Find-MimicRun -Target $t -SearchDataStore $store -CachePath $cache -WarningAction SilentlyContinue; Remove-Item -Recurse $store, $cache'; Remarks = 'The first call reads the 20 models (Read = 20); a second Update-BackgroundIndex reuses them (Reused = 20, Read = 0).' }
        @{ Title = 'Rebuild from scratch'; Code = '$store = Join-Path ([IO.Path]::GetTempPath()) "bkg-index-example2"; New-SimulatedDataStore -Path $store -RunCount 5 -EventsPerRun 100 -Force | Out-Null; Update-BackgroundIndex -DataStore $store -CachePath "$store-cache" -Force | Select-Object Runs, Read, Written; Remove-Item -Recurse $store, "$store-cache"'; Remarks = 'Reads every model again and rewrites the index.' }
    )
    Links       = @('Find-MimicRun', 'Get-KlDivergence', 'Invoke-MimicDataset')
}
