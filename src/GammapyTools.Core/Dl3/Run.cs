using GammapyTools.Fits;
using GammapyTools.Sky;

namespace GammapyTools.Dl3;

/// <summary>
/// One observation run: what the pipeline carries between cmdlets. Built from an obs-index row
/// (fast: no DL3 file opened) or from a DL3 file's EVENTS header. Properties whose keyword the
/// instrument does not write (H.E.S.S. has no NSBLEVEL) are null.
/// </summary>
public sealed class Run
{
    public required long ObsId { get; init; }
    /// <summary>The file holding the run's events.</summary>
    public required string Path { get; init; }
    /// <summary>The data store's folder, when the run came from one.</summary>
    public string? DataStore { get; init; }

    public double RaPnt { get; init; }
    public double DecPnt { get; init; }
    public double? AltPnt { get; init; }
    public double? AzPnt { get; init; }
    public double? Zenith { get; init; }
    public double? NsbLevel { get; init; }
    public int? NTels { get; init; }
    public string? TelList { get; init; }
    public double? Livetime { get; init; }
    public double? Ontime { get; init; }
    public double? Deadc { get; init; }
    public double? Tstart { get; init; }
    public double? Tstop { get; init; }
    public DateTime? DateObs { get; init; }
    public DateTime? DateAvg { get; init; }
    public DateTime? DateEnd { get; init; }
    public string? Object { get; init; }
    public double? RaObj { get; init; }
    public double? DecObj { get; init; }
    /// <summary>bkg_2d, bkg_3d, or null when the run has no background model.</summary>
    public string? BackgroundClass { get; init; }

    /// <summary>Every DL3 HDU of the run (from the hdu-index, or found in the file by HDUCLAS keys).</summary>
    public IReadOnlyList<HduLocation> Hdus { get; init; } = [];

    public SkyCoord Pointing => new(RaPnt, DecPnt);
    public double? Elevation => AltPnt ?? (Zenith is double z ? 90.0 - z : null);

    public HduLocation? FindHdu(string hduType) =>
        Hdus.FirstOrDefault(h => string.Equals(h.HduType, hduType, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"Run {ObsId} ({Object}) {System.IO.Path.GetFileName(Path)}";

    // ------------------------------------------------------------------ from files

    /// <summary>Reads a run from a DL3 file (headers only).</summary>
    /// <exception cref="FitsException">The file cannot be read or is not a usable run (see <see cref="RunValidation"/>).</exception>
    public static Run FromFile(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        return FitsException.Guard(full, () =>
        {
            using var file = FitsFile.Open(full);
            var hdus = HduClassifier.Locate(file);
            var events = hdus.FirstOrDefault(h => h.HduType == "events")
                ?? throw new FitsException("no EVENTS HDU (HDUCLAS1 = EVENTS, or EXTNAME EVENTS in a file without HDUCLAS keys) in this file", file.Path);
            var info = HduClassifier.Find(file, events);
            RunValidation.EventsHeader(info.Header, file.Path, info.Index);
            return FromEventsHeader(info.Header, file.Path, hdus, dataStore: null, info.Index);
        });
    }

    public static Run FromEventsHeader(FitsHeader h, string path, IReadOnlyList<HduLocation> hdus, string? dataStore, int? hduIndex = null)
    {
        long obsId = h.GetLong("OBS_ID") ?? throw new FitsException("the EVENTS header has no OBS_ID", path, hduIndex, keyword: "OBS_ID");
        double? alt = h.GetDouble("ALT_PNT");
        return new Run
        {
            ObsId = obsId,
            Path = path,
            DataStore = dataStore,
            RaPnt = RunValidation.Pointing(h, "RA_PNT", path, hduIndex),
            DecPnt = RunValidation.Pointing(h, "DEC_PNT", path, hduIndex),
            AltPnt = alt,
            AzPnt = h.GetDouble("AZ_PNT"),
            Zenith = alt is double a ? 90.0 - a : h.GetDouble("ZEN_PNT"),
            NsbLevel = h.GetDouble("NSBLEVEL"),
            NTels = h.GetLong("N_TELS") is long nt && nt is >= int.MinValue and <= int.MaxValue ? (int)nt : null,
            TelList = h.GetString("TELLIST"),
            Livetime = RunValidation.Exposure(h.GetDouble("LIVETIME"), "LIVETIME", path, hduIndex),
            Ontime = RunValidation.Exposure(h.GetDouble("ONTIME"), "ONTIME", path, hduIndex),
            Deadc = h.GetDouble("DEADC"),
            Tstart = h.GetDouble("TSTART"),
            Tstop = h.GetDouble("TSTOP"),
            DateObs = StartDate(h.GetString, h.GetDouble),
            DateAvg = ParseDate(h.GetString("DATE-AVG"), null),
            DateEnd = EndDate(h.GetString, h.GetDouble),
            Object = h.GetString("OBJECT"),
            RaObj = h.GetDouble("RA_OBJ"),
            DecObj = h.GetDouble("DEC_OBJ"),
            BackgroundClass = hdus.FirstOrDefault(x => x.HduType == "bkg")?.HduClass,
            Hdus = hdus,
        };
    }

    /// <summary>FITS dates as astropy reads them (<see cref="FitsTime.ParseDate"/>): "2013-10-04T22:31:07.5", "2012-10-13T10:52:08.", or a date with the time in a separate keyword.</summary>
    public static DateTime? ParseDate(string? date, string? time) => FitsTime.ParseDate(date, time);

    /// <summary>
    /// The start of a run from header keys or obs-index columns (<paramref name="text"/> and
    /// <paramref name="number"/> look a key up): DATE-OBS (+ TIME-OBS), else MJD-OBS, else TSTART
    /// counted from MJDREFI/MJDREFF in TIMEUNIT on TIMESYS. Null only when none of them is usable.
    /// </summary>
    public static DateTime? StartDate(Func<string, string?> text, Func<string, double?> number) =>
        ParseDate(text("DATE-OBS"), text("TIME-OBS"))
        ?? FitsTime.FromMjd(number("MJD-OBS"), text("TIMESYS"))
        ?? FitsTime.FromMet(number("TSTART"), number, text);

    /// <summary>The end of a run: DATE-END (+ TIME-END), else MJD-END, else TSTOP from MJDREF (as <see cref="StartDate"/>).</summary>
    public static DateTime? EndDate(Func<string, string?> text, Func<string, double?> number) =>
        ParseDate(text("DATE-END"), text("TIME-END"))
        ?? FitsTime.FromMjd(number("MJD-END"), text("TIMESYS"))
        ?? FitsTime.FromMet(number("TSTOP"), number, text);
}
