using GammapyTools.Sky;

namespace GammapyTools.Simulation;

/// <summary>A field the simulated telescope points at (wobble target): name and position (ICRS).</summary>
public sealed record SimulationField(string Name, SkyCoord Position);

/// <summary>
/// A simulated point source: its position, its strength in gamma-ray events per hour of livetime
/// for the source at the camera centre (scaled by the camera acceptance at its offset), and the
/// photon index of its power-law spectrum.
/// </summary>
public sealed record SimulatedSource(SkyCoord Position, double EventsPerHour = 600, double SpectralIndex = 2.5, string? Name = null);

/// <summary>Settings of <see cref="DataStoreSimulator"/>. The defaults give a VERITAS-like store of 200 runs.</summary>
public sealed class SimulationOptions
{
    /// <summary>Number of runs (files) to simulate.</summary>
    public int RunCount { get; set; } = 200;

    /// <summary>Master seed. Run i's events come from a stream derived from (Seed, OBS_ID) only.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Expected number of background events in a run of 1620 s livetime (scaled by each run's livetime).</summary>
    public double EventsPerRun { get; set; } = 10_000;

    /// <summary>When set, the background event rate in s-1 (overrides <see cref="EventsPerRun"/>).</summary>
    public double? BackgroundRate { get; set; }

    /// <summary>OBS_ID of the first run; later runs have increasing OBS_IDs.</summary>
    public long FirstObsId { get; set; } = 64080;

    /// <summary>First night of the first observing season (UTC date). Seasons run September to June.</summary>
    public DateTime FirstNight { get; set; } = new(2012, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Number of observing seasons (Sept–June) the runs are spread over.</summary>
    public int Seasons { get; set; } = 4;

    /// <summary>Fields (wobble targets). Null: a built-in list of extragalactic fields (|b| &gt; 10°).</summary>
    public IReadOnlyList<SimulationField>? Fields { get; set; }

    /// <summary>Point sources added to the background (only in runs whose field of view holds them).</summary>
    public IReadOnlyList<SimulatedSource> Sources { get; set; } = [];

    /// <summary>Write the true background model as a BACKGROUND (bkg_2d) HDU in every file.</summary>
    public bool IncludeBackground { get; set; } = true;

    /// <summary>Write <c>&lt;OBS_ID&gt;.fits.gz</c> (true) or <c>&lt;OBS_ID&gt;.fits</c>.</summary>
    public bool Compress { get; set; } = true;

    /// <summary>Replace existing run and index files.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Wobble offset of the pointing from the field position, degrees.</summary>
    public double WobbleOffset { get; set; } = 0.5;

    /// <summary>Photon index of the background spectrum (dN/dE ∝ E^-index).</summary>
    public double BackgroundIndex { get; set; } = 2.7;

    /// <summary>Gaussian PSF width (sigma) of simulated point sources, degrees.</summary>
    public double PsfSigma { get; set; } = 0.1;

    /// <summary>Largest number of runs generated at once (null: all processors). The output does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; set; }

    internal void Validate()
    {
        if (RunCount < 1) throw new ArgumentOutOfRangeException(nameof(RunCount), "RunCount must be at least 1.");
        if (Seasons < 1) throw new ArgumentOutOfRangeException(nameof(Seasons), "Seasons must be at least 1.");
        if (BackgroundRate is double r && !(r >= 0 && double.IsFinite(r))) throw new ArgumentOutOfRangeException(nameof(BackgroundRate), "BackgroundRate must be finite and >= 0.");
        if (!(EventsPerRun >= 0 && double.IsFinite(EventsPerRun))) throw new ArgumentOutOfRangeException(nameof(EventsPerRun), "EventsPerRun must be finite and >= 0.");
        if (FirstObsId < 1) throw new ArgumentOutOfRangeException(nameof(FirstObsId), "FirstObsId must be positive.");
        if (!(WobbleOffset >= 0 && WobbleOffset < InstrumentModel.MaxOffset)) throw new ArgumentOutOfRangeException(nameof(WobbleOffset), $"WobbleOffset must be in [0, {InstrumentModel.MaxOffset}).");
        if (!(PsfSigma > 0 && PsfSigma < 1)) throw new ArgumentOutOfRangeException(nameof(PsfSigma), "PsfSigma must be in (0, 1) degrees.");
        if (!(BackgroundIndex > 1 && BackgroundIndex < 5)) throw new ArgumentOutOfRangeException(nameof(BackgroundIndex), "BackgroundIndex must be in (1, 5).");
        foreach (var s in Sources)
        {
            if (!(s.EventsPerHour >= 0 && double.IsFinite(s.EventsPerHour))) throw new ArgumentOutOfRangeException(nameof(Sources), "a source's EventsPerHour must be finite and >= 0.");
            if (!(s.SpectralIndex > 1 && s.SpectralIndex < 5)) throw new ArgumentOutOfRangeException(nameof(Sources), "a source's SpectralIndex must be in (1, 5).");
        }
        if (Fields is { Count: 0 }) throw new ArgumentException("Fields must not be empty (null means the built-in fields).", nameof(Fields));
        foreach (var f in Fields ?? [])
            if (VeritasSite.MaxElevation(f.Position.Dec) < VeritasSite.MinElevation + 2)
                throw new ArgumentException($"field '{f.Name}' ({f.Position}) never rises above {VeritasSite.MinElevation + 2}° at the VERITAS site.", nameof(Fields));
    }

    /// <summary>The built-in extragalactic fields (all at |b| &gt; 10°, spread in right ascension).</summary>
    public static IReadOnlyList<SimulationField> DefaultFields { get; } =
    [
        new("3C 66A", new SkyCoord(35.665, 43.036)),
        new("1ES 0229+200", new SkyCoord(38.203, 20.288)),
        new("RGB J0710+591", new SkyCoord(107.610, 59.150)),
        new("M 82", new SkyCoord(148.970, 69.680)),
        new("Segue 1", new SkyCoord(151.767, 16.082)),
        new("Mrk 421", new SkyCoord(166.114, 38.209)),
        new("1ES 1218+304", new SkyCoord(185.341, 30.177)),
        new("PKS 1424+240", new SkyCoord(216.752, 23.800)),
        new("Mrk 501", new SkyCoord(253.468, 39.760)),
        new("1ES 1959+650", new SkyCoord(299.999, 65.149)),
        new("Draco dSph", new SkyCoord(260.052, 57.915)),
        new("1ES 1011+496", new SkyCoord(153.767, 49.434)),
    ];
}

/// <summary>Progress of <see cref="DataStoreSimulator.Create"/>: runs written so far of the total.</summary>
public readonly record struct SimulationProgress(int RunsDone, int RunCount, long EventsWritten);
