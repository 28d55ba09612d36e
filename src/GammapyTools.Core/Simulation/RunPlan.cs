using GammapyTools.Sky;

namespace GammapyTools.Simulation;

/// <summary>The observing conditions of one simulated run (everything but its events).</summary>
public sealed record RunPlan
{
    public required long ObsId { get; init; }
    public required SimulationField Field { get; init; }
    public required SkyCoord Pointing { get; init; }
    /// <summary>Start of the run (UTC, whole seconds).</summary>
    public required DateTime Start { get; init; }
    public required double Ontime { get; init; }
    public required double DeadTimeFraction { get; init; }
    public required double NsbLevel { get; init; }
    public required int NTels { get; init; }
    public required string TelList { get; init; }
    /// <summary>Pointing elevation and azimuth at mid-run, degrees.</summary>
    public required double AltPnt { get; init; }
    public required double AzPnt { get; init; }

    public double Livetime => Ontime * DeadTimeFraction;
    public double Zenith => 90.0 - AltPnt;
    public DateTime Mid => Start.AddSeconds(Ontime / 2);
    public DateTime End => Start.AddSeconds(Ontime);
}
