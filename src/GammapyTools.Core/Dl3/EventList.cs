using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// A run's EVENTS table with its header, every column kept as the file has it (type, unit,
/// order). Convenience accessors give RA/DEC etc. as doubles without changing the table.
/// </summary>
public sealed class EventList
{
    public EventList(BinaryTableHdu hdu) { Hdu = hdu; }

    public BinaryTableHdu Hdu { get; }
    public FitsHeader Header => Hdu.Header;
    public BinaryTable Table => Hdu.Table;
    public int Count => Table.RowCount;

    public double[] Column(string name) => Table[name].ToDoubles();
    public bool Has(string name) => Table.Contains(name);

    /// <summary>Reads the events of a run (through its hdu-index entry or HDUCLAS keys).</summary>
    /// <exception cref="FitsException">The file cannot be read, or the events are unusable (see <see cref="RunValidation.Events"/>).</exception>
    public static EventList Read(Run run, IEnumerable<string>? columns = null)
    {
        var location = Location(run);
        return FitsException.Guard(location.FilePath, () =>
        {
            using var f = FitsFile.Open(location.FilePath);
            return Read(f, location, columns);
        });
    }

    /// <summary>Where a run's events are: its hdu-index entry, or the EVENTS HDU of its file.</summary>
    public static HduLocation Location(Run run) => run.FindHdu("events") ?? new HduLocation("events", "events", run.Path, "EVENTS");

    /// <summary>
    /// Reads the events <paramref name="location"/> names from a file the caller has opened (a
    /// .fits.gz is decompressed once per open: a reader of several HDUs of one run opens it once).
    /// </summary>
    public static EventList Read(FitsFile f, HduLocation location, IEnumerable<string>? columns = null)
    {
        var info = HduClassifier.Find(f, location);
        var wanted = columns?.ToList();
        // Mandatory columns first, with a clear message, before the reader is asked for them.
        RunValidation.EventsHeader(info.Header, f.Path, info.Index);
        var hdu = f.ReadTable(info, wanted);
        RunValidation.Events(hdu.Table, f.Path, info.Index, wanted);
        return new EventList(hdu);
    }
}

/// <summary>Good time intervals (START, STOP in seconds since the run's MJDREF).</summary>
public sealed record Gti(double[] Start, double[] Stop)
{
    public double TotalSeconds
    {
        get
        {
            double sum = 0;
            for (int i = 0; i < Start.Length; i++) sum += Stop[i] - Start[i];
            return sum;
        }
    }

    public static Gti FromHdu(BinaryTableHdu hdu) => new(hdu.Table["START"].ToDoubles(), hdu.Table["STOP"].ToDoubles());

    /// <summary>
    /// A run's observation time in seconds, dead time included, as GADF and gammapy
    /// (<c>observation_time_duration</c>) define it: the sum of its GTIs, or ONTIME where the run
    /// has no GTI table. Background rates are per observation time (not LIVETIME), so that a
    /// model × observation time is the expected number of events. Null when neither is known.
    /// </summary>
    public static double? ObservationTime(Run run)
    {
        var location = run.FindHdu("gti");
        using var file = FitsFile.Open(location?.FilePath ?? run.Path);
        return ObservationTime(run, file);
    }

    /// <summary><see cref="ObservationTime(Run)"/> from the run's GTI file, opened by the caller.</summary>
    public static double? ObservationTime(Run run, FitsFile file)
    {
        var location = run.FindHdu("gti");
        var info = location is not null ? HduClassifier.Find(file, location)
            : file.Find(h => HduClassifier.Classify(h) is ("gti", _));
        if (info is not null)
        {
            double sum = FromHdu(file.ReadTable(info, ["START", "STOP"])).TotalSeconds;
            if (sum > 0) return sum;
        }
        return run.Ontime;
    }

    public BinaryTableHdu ToHdu(FitsHeader? timeReference = null)
    {
        var hdu = BinaryTableHdu.Create("GTI", new BinaryTable(Start.Length,
        [
            FitsColumn.Create("START", (double[])Start.Clone(), unit: "s"),
            FitsColumn.Create("STOP", (double[])Stop.Clone(), unit: "s"),
        ]));
        hdu.Header.Set("HDUCLASS", "GADF");
        hdu.Header.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        hdu.Header.Set("HDUVERS", "0.2");
        hdu.Header.Set("HDUCLAS1", "GTI");
        if (timeReference is not null)
            foreach (var key in new[] { "MJDREFI", "MJDREFF", "TIMEUNIT", "TIMESYS", "TIMEREF" })
                if (timeReference.Find(key) is { } card) hdu.Header.Set(key, card.Value, card.Comment);
        return hdu;
    }
}
