using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// A GADF data store: a folder with an obs-index (one row per run) and an hdu-index (one row per
/// HDU, FILE_DIR relative to the index), like gammapy's <c>DataStore</c>. Opening reads the two
/// index tables only; runs are built from obs-index rows, so listing thousands of runs opens no
/// DL3 file.
/// </summary>
public sealed class DataStore
{
    public static readonly string[] HduIndexNames = ["hdu-index.fits.gz", "hdu-index.fits"];
    public static readonly string[] ObsIndexNames = ["obs-index.fits.gz", "obs-index.fits"];

    private readonly Dictionary<long, List<HduLocation>> _hdus;
    private readonly Dictionary<long, int> _obsRow;
    private readonly BinaryTable? _obsTable;
    // obs-index columns converted to double once, not once per run: listing 30,000 runs would
    // otherwise convert every column 30,000 times.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, double[]?> _doubles = new();

    private DataStore(string root, string hduIndexPath, string? obsIndexPath, Dictionary<long, List<HduLocation>> hdus,
        BinaryTable? obsTable, FitsHeader? obsHeader)
    {
        Root = root;
        HduIndexPath = hduIndexPath;
        ObsIndexPath = obsIndexPath;
        _hdus = hdus;
        _obsTable = obsTable;
        ObsIndexHeader = obsHeader;
        _obsRow = new Dictionary<long, int>();
        if (obsTable?.Find("OBS_ID") is { } ids)
        {
            var values = ids.ToDoubles();
            for (int i = 0; i < values.Length; i++) _obsRow.TryAdd((long)values[i], i);
        }
    }

    public string Root { get; }
    public string HduIndexPath { get; }
    public string? ObsIndexPath { get; }
    public FitsHeader? ObsIndexHeader { get; }

    /// <summary>Run numbers in the store (those of the hdu-index with an events HDU), ascending.</summary>
    public IReadOnlyList<long> ObsIds => _hdus.Where(kv => kv.Value.Any(h => h.HduType == "events")).Select(kv => kv.Key).Order().ToList();

    public bool Contains(long obsId) => _hdus.ContainsKey(obsId);

    public IReadOnlyList<HduLocation> HdusOf(long obsId) =>
        _hdus.TryGetValue(obsId, out var list) ? list : throw new KeyNotFoundException($"run {obsId} is not in the data store {Root}");

    /// <summary>Opens a data store from its folder or from the path of its hdu-index file.</summary>
    /// <exception cref="FitsException">No data store there, or an index file cannot be read.</exception>
    public static DataStore Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        return FitsException.Guard(full, () => OpenFull(full));
    }

    private static DataStore OpenFull(string full)
    {
        string root, hduIndex;
        if (File.Exists(full))
        {
            hduIndex = full;
            root = System.IO.Path.GetDirectoryName(full)!;
        }
        else if (Directory.Exists(full))
        {
            root = full;
            hduIndex = HduIndexNames.Select(n => System.IO.Path.Combine(root, n)).FirstOrDefault(File.Exists)
                ?? throw new FitsException($"not a data store: no {string.Join(" or ", HduIndexNames)} in this folder", full);
        }
        else throw new FitsException("no such data store folder or index file", full);

        string? obsIndex = ObsIndexNames.Select(n => System.IO.Path.Combine(root, n)).FirstOrDefault(File.Exists);
        var hdus = FitsException.Guard(hduIndex, () => ReadHduIndex(hduIndex, root));
        BinaryTable? obsTable = null;
        FitsHeader? obsHeader = null;
        if (obsIndex is not null)
        {
            // Obs-index problems name the obs-index, not the folder.
            (obsTable, obsHeader) = FitsException.Guard(obsIndex, () => ReadObsIndex(obsIndex));
        }
        return new DataStore(root, hduIndex, obsIndex, hdus, obsTable, obsHeader);
    }

    private static (BinaryTable, FitsHeader) ReadObsIndex(string obsIndex)
    {
        using var f = FitsFile.Open(obsIndex);
        var info = f.Find(h => string.Equals(h.GetString("HDUCLAS2")?.Trim(), "OBS", StringComparison.OrdinalIgnoreCase))
            ?? f.Find("OBS_INDEX") ?? (f.Hdus.Count > 1 ? f.Hdus[1] : throw new FitsException("the obs-index has no table", obsIndex));
        var t = f.ReadTable(info);
        if (!t.Table.Contains("OBS_ID")) throw new FitsException("the obs-index has no OBS_ID column", obsIndex, keyword: "OBS_ID");
        if (!IsNumber(t.Table["OBS_ID"]))
            throw new FitsException($"the obs-index column OBS_ID is declared '{t.Table["OBS_ID"].Format}'; it must be a number", obsIndex, keyword: "OBS_ID");
        return (t.Table, t.Header);
    }

    /// <summary>One number per row (an OBS_ID column).</summary>
    private static bool IsNumber(FitsColumn c) => c.Repeat == 1 && c.Format.Type is 'B' or 'I' or 'J' or 'K' or 'E' or 'D';

    private static Dictionary<long, List<HduLocation>> ReadHduIndex(string path, string root)
    {
        using var f = FitsFile.Open(path);
        var info = f.Find(h => string.Equals(h.GetString("HDUCLAS2")?.Trim(), "HDU", StringComparison.OrdinalIgnoreCase))
            ?? f.Find("HDU_INDEX") ?? (f.Hdus.Count > 1 ? f.Hdus[1] : throw new FitsException("the hdu-index has no table", path));
        string[] needed = ["OBS_ID", "HDU_TYPE", "HDU_CLASS", "FILE_DIR", "FILE_NAME", "HDU_NAME"];
        // Only the columns used are decoded (180,000 rows for a 30,000-run store).
        var columns = TableLayout.FromHeader(info.Header).Columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var t = f.ReadTable(info, needed.Where(columns.Contains).ToList()).Table;
        foreach (var col in needed)
            if (!t.Contains(col)) throw new FitsException($"the hdu-index has no {col} column", path, keyword: col);
            else if (col == "OBS_ID" ? !IsNumber(t[col]) : t[col].Format.Type != 'A')
                throw new FitsException($"the hdu-index column {col} is declared '{t[col].Format}'; it must be {(col == "OBS_ID" ? "a number" : "text")}", path, keyword: col);
        var ids = t["OBS_ID"].ToDoubles();
        var types = t["HDU_TYPE"].Get<string>();
        var classes = t["HDU_CLASS"].Get<string>();
        var dirs = t["FILE_DIR"].Get<string>();
        var names = t["FILE_NAME"].Get<string>();
        var hduNames = t["HDU_NAME"].Get<string>();
        var result = new Dictionary<long, List<HduLocation>>();
        string? lastDir = null, lastName = null, file = "";
        for (int i = 0; i < t.RowCount; i++)
        {
            // A run's HDUs usually share one file on consecutive rows: its full path is resolved once.
            if (dirs[i] != lastDir || names[i] != lastName)
            {
                file = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, dirs[i].Trim(), names[i].Trim()));
                (lastDir, lastName) = (dirs[i], names[i]);
            }
            var loc = new HduLocation(types[i].Trim().ToLowerInvariant(), classes[i].Trim().ToLowerInvariant(), file, hduNames[i].Trim());
            long id = (long)ids[i];
            if (!result.TryGetValue(id, out var list)) result[id] = list = new List<HduLocation>();
            list.Add(loc);
        }
        return result;
    }

    /// <summary>
    /// The run with this OBS_ID, from its obs-index row (or, without one, from its EVENTS header).
    /// Throws a <see cref="FitsException"/> naming the file when the index points to a missing file.
    /// </summary>
    public Run GetRun(long obsId)
    {
        var hdus = HdusOf(obsId);
        var events = hdus.FirstOrDefault(h => h.HduType == "events")
            ?? throw new FitsException($"the hdu-index lists no events HDU for run {obsId}", HduIndexPath);
        // One file-system call per run when the file is there (listing 30,000 runs).
        if (!File.Exists(events.FilePath))
            throw new FitsException(Directory.Exists(events.FilePath)
                ? $"the hdu-index of {Root} points to a directory, not a file (run {obsId})"
                : $"the hdu-index of {Root} points to a file that does not exist (run {obsId})", events.FilePath);
        if (_obsTable is null || !_obsRow.TryGetValue(obsId, out int row))
        {
            return FitsException.Guard(events.FilePath, () =>
            {
                using var f = FitsFile.Open(events.FilePath);
                return RunFromEventsFile(obsId, f);
            });
        }
        return FitsException.Guard(ObsIndexPath!, () => RunFromObsIndex(row, events.FilePath, hdus));
    }

    /// <summary>True when the obs-index has a row for this run (<see cref="GetRun"/> then opens no DL3 file).</summary>
    public bool HasObsIndexRow(long obsId) => _obsTable is not null && _obsRow.ContainsKey(obsId);

    /// <summary>
    /// The run from its EVENTS header in <paramref name="file"/>, already opened by the caller (its
    /// events file: the background index reads the header in the same pass as the run's model).
    /// What <see cref="GetRun"/> gives for a run without an obs-index row.
    /// </summary>
    public Run RunFromEventsFile(long obsId, FitsFile file)
    {
        var hdus = HdusOf(obsId);
        var events = hdus.FirstOrDefault(h => h.HduType == "events")
            ?? throw new FitsException($"the hdu-index lists no events HDU for run {obsId}", HduIndexPath);
        var info = HduClassifier.Find(file, events);
        RunValidation.EventsHeader(info.Header, file.Path, info.Index);
        return Run.FromEventsHeader(info.Header, events.FilePath, hdus, Root, info.Index);
    }

    private Run RunFromObsIndex(int row, string path, IReadOnlyList<HduLocation> hdus)
    {
        var t = _obsTable!;
        double? D(string name)
        {
            var values = _doubles.GetOrAdd(name, n =>
                t.Find(n) is { } c && c.Format.Type is not ('A' or 'L' or 'X') && !c.Format.IsVariableLength && c.Repeat == 1 ? c.ToDoubles() : null);
            if (values is null) return null;
            double v = values[row];
            return double.IsNaN(v) ? null : v;
        }
        string? S(string name)
        {
            var c = t.Find(name);
            if (c is null) return null;
            if (c.Format.Type == 'A') { var s = c.Get<string>()[row]; return string.IsNullOrWhiteSpace(s) ? null : s; }
            return D(name)?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // Time reference keys (MJDREFI, TIMESYS, ...) are in the obs-index header, not in its rows.
        string? TextOrHeader(string name) => S(name) ?? ObsIndexHeader?.GetString(name);
        double? NumberOrHeader(string name) => D(name) ?? ObsIndexHeader?.GetDouble(name);
        double? alt = D("ALT_PNT");
        double? zen = D("ZEN_PNT") ?? (alt is double a ? 90.0 - a : null);
        long obsId = D("OBS_ID") is double id ? (long)id : throw new FitsException($"obs-index row {row + 1} has no OBS_ID", ObsIndexPath, keyword: "OBS_ID");
        // A bad row is named by its number and OBS_ID; the error's file is the obs-index.
        string where = $"obs-index row {row + 1} (OBS_ID {obsId}): ";
        double Pointing(string name) => D(name) is double v
            ? RunValidation.CheckPointing(v, name, ObsIndexPath!, null, where)
            : throw new FitsException($"{where}{name} is missing or not a finite number", ObsIndexPath, keyword: name);
        return new Run
        {
            ObsId = obsId,
            Path = path,
            DataStore = Root,
            RaPnt = Pointing("RA_PNT"),
            DecPnt = Pointing("DEC_PNT"),
            AltPnt = alt ?? (zen is double z ? 90.0 - z : null),
            AzPnt = D("AZ_PNT"),
            Zenith = zen,
            NsbLevel = D("NSBLEVEL"),
            NTels = D("N_TELS") is double n && n is >= int.MinValue and <= int.MaxValue ? (int)n : null,
            TelList = S("TELLIST"),
            Livetime = RunValidation.Exposure(D("LIVETIME"), "LIVETIME", ObsIndexPath!, null, where),
            Ontime = RunValidation.Exposure(D("ONTIME"), "ONTIME", ObsIndexPath!, null, where),
            Deadc = D("DEADC"),
            Tstart = D("TSTART"),
            Tstop = D("TSTOP"),
            DateObs = Run.StartDate(TextOrHeader, NumberOrHeader),
            DateAvg = Run.ParseDate(S("DATE-AVG"), null),
            DateEnd = Run.EndDate(TextOrHeader, NumberOrHeader),
            Object = S("OBJECT"),
            RaObj = D("RA_OBJ"),
            DecObj = D("DEC_OBJ"),
            BackgroundClass = hdus.FirstOrDefault(h => h.HduType == "bkg")?.HduClass,
            Hdus = hdus,
        };
    }
}
