using GammapyTools.Dl3;

namespace GammapyTools.Maps;

/// <summary>
/// Makes a stacked ring-background sky map from runs, with gammapy 1.0's definitions (DESIGN.md §8).
/// </summary>
public static class SkyMapMaker
{
    /// <summary>
    /// The sky map of <paramref name="runs"/>. A run that cannot be used (unreadable, no background
    /// model, no events in the energy range, outside the map) is reported to <paramref name="onRunError"/>
    /// with a <see cref="SkyMapException"/> or <see cref="Fits.FitsException"/> and left out; the others go on.
    /// </summary>
    /// <exception cref="SkyMapException">No run could be used, the target is outside the map, or nothing is safe.</exception>
    /// <exception cref="ArgumentException">The parameters are inconsistent (see <see cref="SkyMapParameters.Validate"/>).</exception>
    public static SkyMap Make(IReadOnlyList<Run> runs, SkyMapParameters parameters, Action<Run, Exception>? onRunError = null,
        IProgress<int>? runsDone = null, string? source = null, CancellationToken cancellationToken = default)
    {
        throw new NotImplementedException();
    }
}
