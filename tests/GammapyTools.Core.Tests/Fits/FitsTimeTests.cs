using System.Globalization;
using System.Text.Json;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

/// <summary>
/// FITS dates in headers and obs-index rows, against astropy's Time (format "fits", MJD on a time
/// scale, MJDREF + TSTART) through tests/interop/fits_dates.py.
/// </summary>
public class FitsTimeTests(ITestOutputHelper output)
{
    private sealed record Case(string Label, Dictionary<string, object?> Json, Func<DateTime?> Ours);

    private static Case Date(string date, string? time = null) =>
        new($"DATE-OBS '{date}'" + (time is null ? "" : $" TIME-OBS '{time}'"),
            new() { ["date"] = date, ["time"] = time }, () => FitsTime.ParseDate(date, time));

    private static Case Mjd(double mjd, string? timesys) =>
        new($"MJD-OBS {mjd} {timesys}", new() { ["mjd"] = mjd, ["timesys"] = timesys }, () => FitsTime.FromMjd(mjd, timesys));

    private static Case Met(double met, long? refI, double? refF, double? mjdref, string? timesys, string? unit)
    {
        var keys = new Dictionary<string, object?> { ["MJDREFI"] = refI, ["MJDREFF"] = refF, ["MJDREF"] = mjdref, ["TIMESYS"] = timesys, ["TIMEUNIT"] = unit };
        return new($"TSTART {met} MJDREFI {refI} MJDREFF {refF} MJDREF {mjdref} {timesys} {unit}",
            new() { ["met"] = met, ["mjdrefi"] = refI, ["mjdreff"] = refF, ["mjdref"] = mjdref, ["timesys"] = timesys, ["timeunit"] = unit },
            () => FitsTime.FromMet(met, k => keys.GetValueOrDefault(k) switch { long l => l, double d => d, _ => null }, k => keys.GetValueOrDefault(k) as string));
    }

    private static readonly Case[] Cases =
    [
        Date("2012-10-13T10:52:08."),                 // VERITAS obs-index: empty fraction
        Date("2012-10-13T10:52:08.123456"),
        Date("2012-10-13T10:52:08.5"),
        Date("2012-10-13T10:52:08"),
        Date("2004-12-04"),                           // date only
        Date("2004-12-04", "21:07:09.5"),             // H.E.S.S.: DATE-OBS + TIME-OBS
        Date("2004-03-26", "02:57:46.184"),
        Date("+02012-10-13T10:52:08"),                // signed 5-digit year
        Date("2012-10-13T10:52:08(UTC)"),             // old-style scale suffix
        Date("2012-10-13T10:52:08(TT)"),
        Date(" 2012-10-13T10:52:08 "),
        Date("2012-10-13T10:52"),                     // not FITS: both refuse
        Date("2012-10-13 10:52:08"),
        Date("13/10/12"),
        Date("2012-02-30"),
        Mjd(56213.4528, null),
        Mjd(56213.4528, "TT"),
        Mjd(56213.4528, "TAI"),
        Met(101962602, 51910, 0.000742870370370241, null, "TT", "s"),   // H.E.S.S. DR1
        Met(333778852.435217, 52706, 0.0, null, "UTC", "s"),           // MAGIC
        Met(4.0e8, 51910, 7.428703703703703e-4, null, "TT", "s"),      // VERITAS
        Met(3.5, null, null, 51910.5, "UTC", "d"),
        Met(90.0, 51910, 0.25, null, "TAI", "min"),
        Met(504921667.0, 51910, 7.428703703703703e-4, null, "TT", "s"),  // 2017-01-01, after a leap second
        Met(504921600.0, 51910, 7.428703703703703e-4, null, null, null), // FITS defaults: TT, seconds
    ];

    [SkippableFact]
    public void Dates_agree_with_astropy()
    {
        Oracles.Require(Oracle.Astropy);
        string path = Path.Combine(TestPaths.NewTempDir(), "cases.json");
        File.WriteAllText(path, JsonSerializer.Serialize(Cases.Select(c => c.Json)));
        var (code, text) = Oracles.RunPython("fits_dates.py", path);
        Assert.True(code == 0, text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Cases.Length, lines.Length);
        for (int i = 0; i < Cases.Length; i++)
        {
            DateTime? ours = Cases[i].Ours();
            output.WriteLine($"{Cases[i].Label}: astropy {lines[i]}, ours {ours?.ToString("o", CultureInfo.InvariantCulture) ?? "None"}");
            if (lines[i] == "None") { Assert.Null(ours); continue; }
            var theirs = DateTime.Parse(lines[i], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(ours is not null, Cases[i].Label + " is not read");
            Assert.True(Math.Abs((ours!.Value - theirs).TotalMilliseconds) < 0.01, $"{Cases[i].Label}: {ours:o} vs astropy {theirs:o}");
        }
    }

    [Fact]
    public void A_leap_second_is_the_last_instant_of_its_minute()
    {
        var t = FitsTime.ParseDate("2016-12-31T23:59:60.5");
        Assert.Equal(new DateTime(2017, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(-1), t);
        Assert.Equal(DateTimeKind.Utc, t!.Value.Kind);
    }

    [Fact]
    public void Header_fallbacks_go_date_then_MJD_OBS_then_TSTART()
    {
        var h = new FitsHeader();
        h.Set("TSTART", 4.0e8); h.Set("MJDREFI", 51910L); h.Set("MJDREFF", 7.428703703703703e-4); h.Set("TIMESYS", "TT");
        var fromTstart = Run.StartDate(h.GetString, h.GetDouble);
        Assert.Equal(FitsTime.FromMet(4.0e8, h.GetDouble, h.GetString), fromTstart);
        Assert.NotNull(fromTstart);
        h.Set("MJD-OBS", 56000.25);
        // TIMESYS TT applies to MJD-OBS as well.
        Assert.Equal(FitsTime.FromMjd(56000.25, "TT"), Run.StartDate(h.GetString, h.GetDouble));
        h.Set("DATE-OBS", "2012-10-13T10:52:08.");
        Assert.Equal(new DateTime(2012, 10, 13, 10, 52, 8, DateTimeKind.Utc), Run.StartDate(h.GetString, h.GetDouble));
        Assert.Null(Run.StartDate(new FitsHeader().GetString, new FitsHeader().GetDouble));
        // TSTART without a reference is no date.
        var noRef = new FitsHeader(); noRef.Set("TSTART", 4.0e8);
        Assert.Null(Run.StartDate(noRef.GetString, noRef.GetDouble));
    }

    /// <summary>
    /// A simulated store whose obs-index is rewritten as VERITAS writes it: DATE-OBS with a trailing
    /// dot; one run keeps only TSTART (MJDREF in the index header); one has no date at all.
    /// </summary>
    [Fact]
    public void Obs_index_dates_are_read_and_a_run_without_one_is_named_once()
    {
        string dir = TestPaths.NewTempDir();
        var runs = DataStoreSimulator.Create(dir, new SimulationOptions { RunCount = 6, EventsPerRun = 200, Compress = false, Seed = 3 });
        string obsIndex = Path.Combine(dir, DataStore.ObsIndexNames[0]);
        BinaryTableHdu hdu;
        using (var f = FitsFile.Open(obsIndex)) hdu = f.ReadTable(f.Find("OBS_INDEX")!);
        var t = hdu.Table;
        int n = t.RowCount;
        var dates = t["DATE-OBS"].Get<string>().Select(s => s.Trim()).ToArray();
        var tstart = t["TSTART"].ToDoubles();
        var expected = dates.Select(d => DateTime.Parse(d, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)).ToArray();
        var newDates = dates.Select(d => d + ".").ToArray();
        newDates[1] = "";                    // run 1: only TSTART + the index header's MJDREFI/MJDREFF
        newDates[2] = ""; tstart[2] = double.NaN; // run 2: no date at all
        var columns = t.Columns.Where(c => c.Name is not ("DATE-OBS" or "DATE-AVG" or "TSTART")).ToList();
        columns.Add(FitsColumn.Create("DATE-OBS", newDates, repeat: 1));
        columns.Add(FitsColumn.Create("TSTART", tstart, unit: "s"));
        var rewritten = new BinaryTableHdu(hdu.Header, new BinaryTable(n, columns));
        FitsWriter.Write(obsIndex, [rewritten], overwrite: true);
        Assert.NotNull(hdu.Header.GetDouble("MJDREFI"));

        var store = DataStore.Open(dir);
        var fromIndex = store.ObsIds.Select(store.GetRun).ToList();
        Assert.Equal(expected[0], fromIndex[0].DateObs);
        Assert.Equal(expected[3], fromIndex[3].DateObs);
        // TSTART counts TT seconds from MJDREF: the simulator writes DATE-OBS to the second.
        Assert.True(Math.Abs((fromIndex[1].DateObs!.Value - expected[1]).TotalSeconds) < 1, $"{fromIndex[1].DateObs:o} vs {expected[1]:o}");
        Assert.Null(fromIndex[2].DateObs);

        var criteria = new MimicCriteria { TimeMaxDays = 100000, SameSeason = false };
        var steps = new List<SelectionStep>(); var warnings = new List<string>();
        var kept = MimicCandidateSelector.FilterByConditions(fromIndex[0], fromIndex, criteria, steps, warnings);
        foreach (var w in warnings) output.WriteLine(w);
        Assert.DoesNotContain(warnings, w => w.Contains($"run {fromIndex[0].ObsId} has no date"));
        var dateWarnings = warnings.Where(w => w.Contains("no date")).ToList();
        Assert.Single(dateWarnings);
        Assert.Contains(fromIndex[2].ObsId.ToString(CultureInfo.InvariantCulture), dateWarnings[0]);
        Assert.Contains(steps, s => s.Criterion.Contains("days") && s.Removed >= 1);

        // The undated run as the target: one warning naming it, the time criterion skipped.
        warnings.Clear(); steps.Clear();
        MimicCandidateSelector.FilterByConditions(fromIndex[2], fromIndex, criteria, steps, warnings);
        Assert.Single(warnings, w => w.Contains("no date"));
        Assert.Contains(warnings, w => w.Contains($"run {fromIndex[2].ObsId} has no date"));
        Assert.DoesNotContain(steps, s => s.Criterion.Contains("days"));
        _ = runs;
    }
}
