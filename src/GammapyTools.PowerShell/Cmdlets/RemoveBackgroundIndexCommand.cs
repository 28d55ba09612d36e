using System.Management.Automation;
using GammapyTools.Background;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Removes background-index files of data stores that no longer exist (or of the stores named) and dead writers' temporary files from the cache folder.</para>
/// Full help: module/help/Remove-BackgroundIndex.psd1.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "BackgroundIndex", SupportsShouldProcess = true, DefaultParameterSetName = UnusedSet)]
[OutputType(typeof(BackgroundCacheFile))]
public sealed class RemoveBackgroundIndexCommand : GammapyCmdlet
{
    private const string UnusedSet = "Unused";
    private const string StoreSet = "DataStore";

    /// <summary>Remove the indexes of these stores (whether or not they still exist) instead of the unused ones.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = StoreSet)]
    public string[] DataStore { get; set; } = [];

    [Parameter]
    public string? CachePath { get; set; }

    private BackgroundIndex? _index;

    protected override void BeginProcessing() =>
        _index = new BackgroundIndex(CachePath is null ? null : ResolveUserPath(CachePath));

    protected override void ProcessRecord()
    {
        if (ParameterSetName == UnusedSet) return; // all at once, in EndProcessing
        foreach (string store in DataStore)
        {
            // A store is named by its folder or its index file, as in Update-BackgroundIndex; it need not exist any more.
            string root = ResolveUserPath(store);
            if (File.Exists(root)) root = Path.GetDirectoryName(root)!;
            if (BackgroundIndexCache.IndexOf(_index!, root) is { } file) Remove(file);
            else WriteVerbose($"no background index of {root} in {_index!.Directory}");
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName != UnusedSet) return;
        var files = BackgroundIndexCache.FindUnused(_index!.Directory);
        WriteVerbose($"{files.Count} unused file(s) in {_index.Directory}");
        foreach (var file in files) Remove(file);
    }

    private void Remove(BackgroundCacheFile file)
    {
        if (!ShouldProcess(file.Path, $"Remove ({file.Reason})")) return;
        try
        {
            if (BackgroundIndexCache.Remove(file)) WriteObject(file);
            else WriteVerbose($"kept {file.Path}: it is gone, or its data store is back");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteFileError(e, "CacheFileNotRemoved", ErrorCategory.WriteError, file.Path);
        }
    }
}
