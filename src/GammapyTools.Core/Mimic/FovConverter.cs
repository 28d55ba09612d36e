using System.Globalization;
using System.Security.Cryptography;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Output;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>
/// Convert-Fov (DESIGN.md §5 "Re-pointing"): writes a copy of a background run whose events are
/// re-pointed onto a target run's field of view, optionally with known sources scrambled out and
/// the target's background model. Inputs are only read; the output is written atomically.
/// </summary>
public static class FovConverter
{
    /// <summary>Converts one background run for one target run.</summary>
    /// <exception cref="FovConversionException">Bad options, an existing output without Force, unusable input.</exception>
    /// <exception cref="FitsException">An input file cannot be read, or the output cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is left behind.</exception>
    public static ConvertResult Convert(Run background, Run target, ConvertOptions options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(background);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        string output = options.ResolveOutputPath(target.Path, background.ObsId);
        foreach (var input in InputFiles(background).Concat(InputFiles(target)))
            if (SamePath(input, output))
                throw new FovConversionException($"the output {output} is an input file; choose another destination") { FilePath = output };
        if (File.Exists(output) && !options.Force)
            throw new FovConversionException($"the output file exists: {output} (use Force to overwrite)") { FilePath = output };
        // Refuse a device, FIFO or directory before the work, not only when the file is written.
        try { AtomicFile.CheckDestination(output, overwrite: true); }
        catch (OutputPathException e) { throw new FovConversionException(e.Message, e) { FilePath = output }; }
        var sources = options.ResolveScrambleSources();
        long seed = options.Seed ?? (long)BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;

        // Anything malformed in the background run's content ends as one FitsException naming its file.
        return FitsException.Guard(background.Path, () => ConvertChecked(background, target, options, output, sources, seed, cancellationToken));
    }

    private static ConvertResult ConvertChecked(Run background, Run target, ConvertOptions options, string output,
        IReadOnlyList<ScrambleSource> sources, long seed, CancellationToken cancellationToken)
    {
        var hdus = ReadBackgroundRun(background);
        int eventsIndex = hdus.FindIndex(h => HduClassifier.Classify(h.Header)?.Type == "events");
        if (eventsIndex < 0 || hdus[eventsIndex] is not BinaryTableHdu eventsHdu)
            throw new FovConversionException("the background run's file has no EVENTS table (HDUCLAS1 = EVENTS)") { FilePath = background.Path };
        var eh = eventsHdu.Header;
        // An unusable run is an error, never a silent output (RunValidation; no NaN is ever written).
        RunValidation.Events(eventsHdu.Table, background.Path, eventsIndex);
        RunValidation.Exposure(eh.GetDouble("LIVETIME"), "LIVETIME", background.Path, eventsIndex);
        RunValidation.Exposure(eh.GetDouble("ONTIME"), "ONTIME", background.Path, eventsIndex);
        for (int i = 0; i < hdus.Count; i++)
            if (hdus[i] is BinaryTableHdu gti && HduClassifier.Classify(gti.Header)?.Type == "gti") RunValidation.Gti(gti, background.Path, i);
        var from = new SkyCoord(RunValidation.Pointing(eh, "RA_PNT", background.Path, eventsIndex), RunValidation.Pointing(eh, "DEC_PNT", background.Path, eventsIndex));
        var targetEvents = ReadTargetEventsHeader(target);
        var to = new SkyCoord(RunValidation.Pointing(targetEvents, "RA_PNT", target.Path, null), RunValidation.Pointing(targetEvents, "DEC_PNT", target.Path, null));
        long originalObsId = eh.GetLong("OBS_ID") ?? background.ObsId;

        // 1. Scramble in the background run's own frame.
        IReadOnlyList<ScrambleReport> scrambled = [];
        var warnings = new List<string>();
        if (sources.Count > 0)
        {
            try
            {
                scrambled = Scrambler.Scramble(eventsHdu.Table, from, sources,
                    k => MimicRandom.ForRun(seed, target.ObsId, originalObsId, k), Horizon(eventsHdu, warnings));
            }
            catch (FovConversionException e) when (e.FilePath is null)
            {
                throw new FovConversionException(e.Message, e) { FilePath = background.Path };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        // 2. Re-point: one rotation per event, computed in double, stored in the column's type.
        Repoint(eventsHdu.Table, from, to);

        // 3. Background model.
        string? bkgClass = hdus.Select(h => HduClassifier.Classify(h.Header)).FirstOrDefault(c => c?.Type == "bkg")?.Class;
        if (options.CopyBackground)
        {
            var (bkg, cls) = ReadTargetBackground(target);
            hdus.RemoveAll(h => HduClassifier.Classify(h.Header)?.Type == "bkg");
            hdus.Add(bkg);
            bkgClass = cls;
        }

        // 4. Headers.
        UpdateHeaders(hdus, eventsHdu.Header, from, to, originalObsId, target, targetEvents, options, seed, sources, scrambled);

        FitsWriter.Write(output, hdus, overwrite: options.Force, cancellationToken);
        var run = Run.FromFile(output);
        return new ConvertResult(output, run, eventsHdu.Table.RowCount, from, to, bkgClass, seed, scrambled) { Warnings = warnings };
    }

    /// <summary>
    /// The frame that moves scrambled events' ALT/AZ with them: the site latitude (GEOLAT) and the
    /// run's date from the EVENTS header. Null (with a warning) when the events have ALT/AZ but the
    /// header lacks either; null without one when there are no ALT/AZ columns.
    /// </summary>
    private static HorizontalFrame? Horizon(BinaryTableHdu events, List<string> warnings)
    {
        if (events.Table.Find(Scrambler.AltColumn) is null || events.Table.Find(Scrambler.AzColumn) is null) return null;
        var h = events.Header;
        double? latitude = h.GetDouble("GEOLAT");
        DateTime? date = Run.StartDate(h.GetString, h.GetDouble);
        if (latitude is double lat && date is DateTime d) return new HorizontalFrame(lat, d);
        warnings.Add($"ALT/AZ of scrambled events are left as they were: the EVENTS header has no {(latitude is null ? "GEOLAT (site latitude)" : "date (DATE-OBS, MJD-OBS or TSTART with MJDREFI/MJDREFF)")}");
        return null;
    }

    private static IEnumerable<string> InputFiles(Run run) =>
        run.Hdus.Select(h => h.FilePath).Append(run.Path).Where(p => !string.IsNullOrEmpty(p));

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Every HDU of the background run's file, plus DL3 HDUs the run keeps in other files (a data store's separate background model).</summary>
    private static List<Hdu> ReadBackgroundRun(Run background)
    {
        List<Hdu> hdus;
        using (var file = FitsFile.Open(background.Path))
        {
            hdus = file.ReadAll().ToList();
            // HDUs classified by EXTNAME (a file without HDUCLAS keys) get the keys, so the output is classified alike.
            var classes = HduClassifier.ClassifyAll(file.Hdus.Select(h => h.Header).ToList(), file.Path);
            for (int i = 0; i < hdus.Count; i++)
                if (classes[i] is { } tc) HduClassifier.Stamp(hdus[i].Header, tc.Type, tc.Class);
        }
        var present = hdus.Select(h => HduClassifier.Classify(h.Header)?.Type).Where(t => t is not null).ToHashSet();
        foreach (var group in background.Hdus.Where(h => !SamePath(h.FilePath, background.Path) && !present.Contains(h.HduType)).GroupBy(h => h.FilePath))
        {
            using var other = FitsFile.Open(group.Key);
            foreach (var loc in group)
            {
                var hdu = other.ReadHdu(HduClassifier.Find(other, loc));
                HduClassifier.Stamp(hdu.Header, loc.HduType, loc.HduClass);
                hdus.Add(hdu);
            }
        }
        return hdus;
    }

    /// <summary>The target run's background HDU (found by class, never by EXTNAME) and its class.</summary>
    private static (Hdu Hdu, string Class) ReadTargetBackground(Run target)
    {
        IReadOnlyList<HduLocation> locations = target.Hdus;
        if (locations.Count == 0)
        {
            using var f = FitsFile.Open(target.Path);
            locations = HduClassifier.Locate(f);
        }
        var loc = locations.FirstOrDefault(h => h.HduType == "bkg")
            ?? throw new FovConversionException($"the target run {target.ObsId} has no background model (no bkg HDU) to copy") { FilePath = target.Path };
        return FitsException.Guard(loc.FilePath, () =>
        {
            using var file = FitsFile.Open(loc.FilePath);
            var info = HduClassifier.Find(file, loc);
            HduClassifier.RequireBackgroundTable(info.Header, file.Path);
            var hdu = file.ReadHdu(info);
            RunValidation.BackgroundModel(hdu, loc.FilePath);
            HduClassifier.Stamp(hdu.Header, loc.HduType, loc.HduClass);
            return (hdu, loc.HduClass);
        });
    }

    /// <summary>
    /// The target run's EVENTS header: its pointing and object are taken from here, in double, never
    /// from an obs-index row (whose float32 columns are ~2e-6° off).
    /// </summary>
    private static FitsHeader ReadTargetEventsHeader(Run target)
    {
        var loc = target.FindHdu("events");
        string path = loc?.FilePath ?? target.Path;
        if (!File.Exists(path))
            throw new FovConversionException($"the target run {target.ObsId}'s file does not exist; its pointing is read from its EVENTS header") { FilePath = path };
        using var file = FitsFile.Open(path);
        var located = loc ?? HduClassifier.Locate(file).FirstOrDefault(h => h.HduType == "events")
            ?? throw new FovConversionException($"the target run {target.ObsId}'s file has no EVENTS HDU") { FilePath = path };
        return HduClassifier.Find(file, located).Header;
    }

    /// <summary>Re-points RA/DEC of an events table from <paramref name="from"/> to <paramref name="to"/> (RA in [0, 360)).</summary>
    public static void Repoint(BinaryTable events, SkyCoord from, SkyCoord to)
    {
        FitsColumn ra = events["RA"], dec = events["DEC"];
        if (ra.Scale is not null && ra.Scale != 1.0 || ra.Zero is not null && ra.Zero != 0.0 || dec.Scale is not null && dec.Scale != 1.0 || dec.Zero is not null && dec.Zero != 0.0)
            throw new FovConversionException("RA/DEC columns are scaled (TSCAL/TZERO); only float or double columns can be re-pointed");
        var rotation = new PointingRotation(from, to);
        switch (ra.Data, dec.Data)
        {
            case (float[] rf, float[] df):
                RowBlocks.For(rf.Length, null, (start, length) => rotation.Apply(rf.AsSpan(start, length), df.AsSpan(start, length), rf.AsSpan(start, length), df.AsSpan(start, length)));
                break;
            case (double[] rd, double[] dd):
                RowBlocks.For(rd.Length, null, (start, length) => rotation.Apply(rd.AsSpan(start, length), dd.AsSpan(start, length), rd.AsSpan(start, length), dd.AsSpan(start, length)));
                break;
            case (float[] rf, double[] dd):
            {
                var r = Array.ConvertAll(rf, x => (double)x);
                rotation.Apply(r, dd, r, dd);
                for (int i = 0; i < rf.Length; i++) { rf[i] = (float)r[i]; if (rf[i] >= 360f) rf[i] = 0f; }
                break;
            }
            case (double[] rd, float[] df):
            {
                var dv = Array.ConvertAll(df, x => (double)x);
                rotation.Apply(rd, dv, rd, dv);
                for (int i = 0; i < df.Length; i++) df[i] = (float)dv[i];
                break;
            }
            default: throw new FovConversionException($"RA/DEC columns must be float (E) or double (D); they are {ra.Format} and {dec.Format}");
        }
    }

    private static void UpdateHeaders(List<Hdu> hdus, FitsHeader ev, SkyCoord from, SkyCoord to, long originalObsId, Run target,
        FitsHeader targetEvents, ConvertOptions options, long seed, IReadOnlyList<ScrambleSource> sources, IReadOnlyList<ScrambleReport> scrambled)
    {
        string? originalObject = ev.GetString("OBJECT");
        double? raObj = ev.GetDouble("RA_OBJ"), decObj = ev.GetDouble("DEC_OBJ");
        var gal = to.ToGalactic();

        foreach (var hdu in hdus)
        {
            var h = hdu.Header;
            if (h.Contains("OBS_ID")) h.Set("OBS_ID", target.ObsId);
            if (h.Contains("RA_PNT")) h.Set("RA_PNT", to.Ra);
            if (h.Contains("DEC_PNT")) h.Set("DEC_PNT", to.Dec);
            if (h.Contains("GLON_PNT")) h.Set("GLON_PNT", gal.L);
            if (h.Contains("GLAT_PNT")) h.Set("GLAT_PNT", gal.B);
        }

        ev.Set("RA_PNT", to.Ra, "[deg] pointing RA (target run)");
        ev.Set("DEC_PNT", to.Dec, "[deg] pointing Dec (target run)");
        ev.Set("RA_ORG", from.Ra, "[deg] original pointing RA");
        ev.Set("DEC_ORG", from.Dec, "[deg] original pointing Dec");
        if (raObj is double ro) ev.Set("RA_SRC", ro, "[deg] original RA_OBJ");
        if (decObj is double dob) ev.Set("DEC_SRC", dob, "[deg] original DEC_OBJ");
        ev.Set("RA_OFF", Angles.Wrap180(to.Ra - from.Ra), "[deg] target minus original RA_PNT");
        ev.Set("DEC_OFF", to.Dec - from.Dec, "[deg] target minus original DEC_PNT");
        // The target's object from its own header (double), like its pointing: index columns may be float32.
        if (targetEvents.GetString("OBJECT") is { } tobj) ev.Set("OBJECT", tobj);
        else ev.Remove("OBJECT");
        if (targetEvents.GetDouble("RA_OBJ") is double tr) ev.Set("RA_OBJ", tr); else ev.Remove("RA_OBJ");
        if (targetEvents.GetDouble("DEC_OBJ") is double td) ev.Set("DEC_OBJ", td); else ev.Remove("DEC_OBJ");
        ev.Set("OBJ_ORG", originalObject ?? "", "original OBJECT");
        ev.Set("OBS_ORG", originalObsId, "original OBS_ID");
        ev.Set("OBS_ID", target.ObsId);

        string I(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        ev.AddHistory(I($"GammapyTools Convert-Fov: events of run {originalObsId} re-pointed from RA {from.Ra:0.######} Dec {from.Dec:0.######}"));
        ev.AddHistory(I($"to RA {to.Ra:0.######} Dec {to.Dec:0.######} (run {target.ObsId}) by one sphere rotation; Xoff/Yoff kept."));
        foreach (var s in scrambled)
            ev.AddHistory(I($"scrambled '{s.Source.Name}' RA {s.Source.Position.Ra:0.######} Dec {s.Source.Position.Dec:0.######} theta {s.Source.Theta} deg: {s.AnnulusEvents} annulus events, seed {seed}"));
        if (options.CopyBackground) ev.AddHistory(I($"background model copied from run {target.ObsId}."));
        foreach (string line in options.History) ev.AddHistory(line);
    }
}
