using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// Writes a data store's obs-index and hdu-index for a set of DL3 files (the equivalent of
/// pyV2DL3's create_obs_hdu_index_file): obs-index columns from each EVENTS header, one hdu-index
/// row per DL3 HDU found by its HDUCLAS keys, FILE_DIR relative to the index folder.
/// </summary>
public static class DataStoreIndex
{
    /// <summary>Obs-index columns, in order: (name, unit, is text). Columns no file has a value for are left out.</summary>
    private static readonly (string Name, string? Unit, bool Text)[] ObsColumns =
    [
        ("OBS_ID", null, false), ("RA_PNT", "deg", false), ("DEC_PNT", "deg", false), ("ZEN_PNT", "deg", false),
        ("ALT_PNT", "deg", false), ("AZ_PNT", "deg", false), ("ONTIME", "s", false), ("LIVETIME", "s", false),
        ("DEADC", null, false), ("TSTART", "s", false), ("TSTOP", "s", false), ("N_TELS", null, false),
        ("TELLIST", null, true), ("OBJECT", null, true), ("RA_OBJ", "deg", false), ("DEC_OBJ", "deg", false),
        ("DATE-OBS", null, true), ("TIME-OBS", null, true), ("DATE-AVG", null, true), ("DATE-END", null, true),
        ("TIME-END", null, true), ("NSBLEVEL", null, false), ("GLON_PNT", "deg", false), ("GLAT_PNT", "deg", false),
    ];

    private static readonly string[] TimeReferenceKeys = ["MJDREFI", "MJDREFF", "TIMEUNIT", "TIMESYS", "TIMEREF"];

    /// <summary>One scanned file: its EVENTS header and its DL3 HDUs (with sizes).</summary>
    public sealed record ScannedFile(string Path, FitsHeader EventsHeader, IReadOnlyList<(HduLocation Location, long Size)> Hdus)
    {
        public long ObsId => EventsHeader.GetLong("OBS_ID") ?? throw new FitsException("the EVENTS header has no OBS_ID", Path);
    }

    /// <summary>Reads what the index needs from one DL3 file (headers only).</summary>
    public static ScannedFile Scan(string path) => FitsException.Guard(System.IO.Path.GetFullPath(path), () => ScanUnguarded(path));

    private static ScannedFile ScanUnguarded(string path)
    {
        using var f = FitsFile.Open(path);
        var hdus = new List<(HduLocation, long)>();
        FitsHeader? events = null;
        var classes = HduClassifier.ClassifyAll(f.Hdus.Select(h => h.Header).ToList(), f.Path);
        foreach (var h in f.Hdus)
        {
            if (classes[h.Index] is not { } tc) continue;
            hdus.Add((new HduLocation(tc.Type, tc.Class, f.Path, HduClassifier.HduName(h)), h.Size));
            if (tc.Type == "events") events = h.Header;
        }
        if (events is null) throw new FitsException("no EVENTS HDU (HDUCLAS1 = EVENTS, or EXTNAME EVENTS in a file without HDUCLAS keys) in this file", f.Path);
        if (events.GetLong("OBS_ID") is null) throw new FitsException("the EVENTS header has no OBS_ID", f.Path);
        // An index row is a run: the same checks as Get-Run, so no unusable run enters a data store.
        var eventsInfo = f.Hdus.First(h => ReferenceEquals(h.Header, events));
        RunValidation.EventsHeader(events, f.Path, eventsInfo.Index);
        Run.FromEventsHeader(events, f.Path, [], null, eventsInfo.Index);
        return new ScannedFile(f.Path, events, hdus);
    }

    /// <summary>
    /// Writes <c>obs-index.fits.gz</c> and <c>hdu-index.fits.gz</c> into <paramref name="folder"/>.
    /// Two files with the same OBS_ID are an error (a data store maps one run to one file).
    /// </summary>
    public static (string ObsIndex, string HduIndex) Write(string folder, IReadOnlyList<ScannedFile> files, bool overwrite)
    {
        string root = System.IO.Path.GetFullPath(folder);
        var duplicate = files.GroupBy(f => f.ObsId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FitsException($"run {duplicate.Key} is in more than one file: {string.Join(", ", duplicate.Select(d => d.Path))}", root);
        var ordered = files.OrderBy(f => f.ObsId).ToList();

        string obsPath = System.IO.Path.Combine(root, DataStore.ObsIndexNames[0]);
        string hduPath = System.IO.Path.Combine(root, DataStore.HduIndexNames[0]);
        if (!overwrite)
            foreach (var p in new[] { obsPath, hduPath })
                if (File.Exists(p)) throw new FitsException("the index file exists (use overwrite/-Force to replace it)", p);

        FitsWriter.Write(hduPath, [HduIndexHdu(root, ordered)], overwrite);
        FitsWriter.Write(obsPath, [ObsIndexHdu(ordered)], overwrite);
        return (obsPath, hduPath);
    }

    private static void SetIndexKeywords(FitsHeader h, string extname, string clas2)
    {
        h.Set("EXTNAME", extname);
        h.Set("HDUCLASS", "GADF", "Signal conformance with GADF");
        h.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        h.Set("HDUVERS", "0.3");
        h.Set("HDUCLAS1", "INDEX");
        h.Set("HDUCLAS2", clas2);
    }

    private static BinaryTableHdu ObsIndexHdu(IReadOnlyList<ScannedFile> files)
    {
        int n = files.Count;
        var columns = new List<FitsColumn>();
        foreach (var (name, unit, text) in ObsColumns)
        {
            bool derivedZenith = name == "ZEN_PNT";
            if (!derivedZenith && !files.Any(f => f.EventsHeader.Contains(name))) continue;
            if (derivedZenith && !files.Any(f => f.EventsHeader.Contains("ZEN_PNT") || f.EventsHeader.Contains("ALT_PNT"))) continue;
            if (text)
            {
                columns.Add(FitsColumn.Create(name, files.Select(f => f.EventsHeader.GetString(name) ?? "").ToArray(), repeat: 1, unit: unit));
            }
            else if (name is "OBS_ID" or "N_TELS")
            {
                columns.Add(FitsColumn.Create(name, files.Select(f => f.EventsHeader.GetLong(name) ?? (name == "N_TELS" ? -1 : 0)).ToArray(), unit: unit));
            }
            else
            {
                var values = files.Select(f => derivedZenith
                    ? f.EventsHeader.GetDouble("ZEN_PNT") ?? (f.EventsHeader.GetDouble("ALT_PNT") is double a ? 90.0 - a : double.NaN)
                    : name is "TSTART" or "TSTOP" ? IndexTime(f.EventsHeader, name, files[0].EventsHeader)
                    : f.EventsHeader.GetDouble(name) ?? double.NaN).ToArray();
                columns.Add(FitsColumn.Create(name, values, unit: unit));
            }
        }
        var hdu = new BinaryTableHdu(new FitsHeader(), new BinaryTable(n, columns));
        SetIndexKeywords(hdu.Header, "OBS_INDEX", "OBS");
        if (files.Count > 0)
            foreach (var key in TimeReferenceKeys)
                if (files[0].EventsHeader.Find(key) is { } card) hdu.Header.Set(key, card.Value, card.Comment);
        return hdu;
    }

    /// <summary>
    /// TSTART/TSTOP counted from the index header's reference (the first file's MJDREF, TIMESYS,
    /// TIMEUNIT): a file with another reference (MAGIC and H.E.S.S. in one store) is converted through
    /// its UTC instant, so that the index's times mean what its header says.
    /// </summary>
    private static double IndexTime(FitsHeader file, string key, FitsHeader index)
    {
        double? value = file.GetDouble(key);
        if (value is not double v) return double.NaN;
        bool same = TimeReferenceKeys.All(k => Equals(file.Find(k)?.Value, index.Find(k)?.Value)) && !file.Contains("TIMEZERO");
        if (same) return v;
        return FitsTime.FromMet(v, file.GetDouble, file.GetString) is DateTime utc
            && FitsTime.ToMet(utc, index.GetDouble, index.GetString) is double met ? met : double.NaN;
    }

    private static BinaryTableHdu HduIndexHdu(string root, IReadOnlyList<ScannedFile> files)
    {
        var rows = files.SelectMany(f => f.Hdus.Select(h => (f.ObsId, h.Location, h.Size))).ToList();
        string Rel(string file)
        {
            string dir = System.IO.Path.GetRelativePath(root, System.IO.Path.GetDirectoryName(file)!);
            return dir.Replace(System.IO.Path.DirectorySeparatorChar, '/');
        }
        var columns = new List<FitsColumn>
        {
            FitsColumn.Create("OBS_ID", rows.Select(r => r.ObsId).ToArray()),
            FitsColumn.Create("HDU_TYPE", rows.Select(r => r.Location.HduType).ToArray()),
            FitsColumn.Create("HDU_CLASS", rows.Select(r => r.Location.HduClass).ToArray()),
            FitsColumn.Create("FILE_DIR", rows.Select(r => Rel(r.Location.FilePath)).ToArray()),
            FitsColumn.Create("FILE_NAME", rows.Select(r => System.IO.Path.GetFileName(r.Location.FilePath)).ToArray()),
            FitsColumn.Create("HDU_NAME", rows.Select(r => r.Location.HduName).ToArray()),
            FitsColumn.Create("SIZE", rows.Select(r => r.Size).ToArray(), unit: "byte"),
        };
        var hdu = new BinaryTableHdu(new FitsHeader(), new BinaryTable(rows.Count, columns));
        SetIndexKeywords(hdu.Header, "HDU_INDEX", "HDU");
        return hdu;
    }
}
