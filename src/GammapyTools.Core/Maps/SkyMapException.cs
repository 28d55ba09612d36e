namespace GammapyTools.Maps;

/// <summary>
/// A run, or the whole map, cannot be made: the message says why and what to do (e.g. which cmdlet
/// adds a background model). <see cref="ObsId"/>/<see cref="FilePath"/> name the run when it is one run's fault.
/// </summary>
public sealed class SkyMapException : Exception
{
    public SkyMapException(string message, long? obsId = null, string? filePath = null, Exception? inner = null)
        : base(obsId is long id ? $"run {id}: {message}" : message, inner)
    {
        ObsId = obsId;
        FilePath = filePath;
    }

    public long? ObsId { get; }
    public string? FilePath { get; }
}
