@{
    Synopsis    = 'Removes background-index files of data stores that no longer exist (or of the data stores named), and temporary files of index writers that died, from the cache folder.'
    Description = @(
        'Update-BackgroundIndex, and every command that compares background models, keeps one index file per search data store in a cache folder (-CachePath, else $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools). Nothing removes the index of a data store that was deleted: run Remove-BackgroundIndex now and then, for example after a campaign over scratch copies of an archive.'
        'Without -DataStore it removes (1) each index file whose data store no longer exists, or no longer has an hdu-index.fits[.gz] (the store''s full path is recorded in the index file), and (2) each temporary file left by an index writer that is no longer running: a writer on this host whose process has ended, or a file on a shared folder untouched for an hour. An index is checked again just before it is removed, and kept when its store has come back. Files it cannot attribute (not an index, or an unreadable one) are kept.'
        'With -DataStore it removes the index of each data store named, whether the store still exists or not (the next command that needs it builds it again).'
        'On a cluster, the cache folder may be shared by nodes that see different file systems: a store on one node''s local disk looks deleted from another node. Run it where the stores are visible, and try -WhatIf first. Each removed file is returned; -WhatIf lists what would be removed and removes nothing.'
    )
    Parameters  = @{
        DataStore = 'The data store(s) whose index to remove: a folder, or its hdu-index file; it need not exist. Accepts strings and objects with a DataStore property (Update-BackgroundIndex''s results) from the pipeline. Without it, the indexes of stores that no longer exist are removed.'
        CachePath = 'Folder of the index files. Default: $XDG_CACHE_HOME/gammapytools, else ~/.cache/gammapytools (as Update-BackgroundIndex).'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'Data store folders (-DataStore).' })
    Outputs     = @(@{ Type = 'GammapyTools.Background.BackgroundCacheFile'; Description = 'One per removed file: Path, Kind (Orphaned, DeadWriter or Requested), DataStore (the store an index was made for), Reason, Length (bytes).' })
    Examples    = @(
        @{ Title = 'Remove the index of a deleted data store'; Code = '$store = Join-Path ([IO.Path]::GetTempPath()) "bkg-prune-example"; $cache = "$store-cache"; New-SimulatedDataStore -Path $store -RunCount 5 -EventsPerRun 100 -Force | Out-Null; Update-BackgroundIndex -DataStore $store -CachePath $cache | Out-Null; Remove-Item -Recurse $store; Remove-BackgroundIndex -CachePath $cache -WhatIf; Remove-BackgroundIndex -CachePath $cache; Remove-Item -Recurse $cache'; Remarks = 'The store is deleted after it was indexed: -WhatIf names its index file, then Remove-BackgroundIndex removes it and returns it (Kind Orphaned, with the reason).' }
        @{ Title = 'Rebuild one store''s index on next use'; Code = '$store = Join-Path ([IO.Path]::GetTempPath()) "bkg-prune-example2"; New-SimulatedDataStore -Path $store -RunCount 5 -EventsPerRun 100 -Force | Out-Null; Update-BackgroundIndex -DataStore $store -CachePath "$store-cache" | Remove-BackgroundIndex -CachePath "$store-cache"; Remove-Item -Recurse $store, "$store-cache"'; Remarks = 'The results of Update-BackgroundIndex name their store (DataStore): its index file is removed (Kind Requested).' }
    )
    Links       = @('Update-BackgroundIndex', 'Find-MimicRun')
}
