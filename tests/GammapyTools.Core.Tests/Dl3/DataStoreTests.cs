using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Dl3;

public class DataStoreTests(ITestOutputHelper output)
{
    internal static readonly string[] HessFiles =
        Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz").Order().ToArray();
    private static readonly string[] MagicFiles =
        Directory.GetFiles(TestPaths.Data("magic-rad-max"), "*.fits").Order().ToArray();

    /// <summary>A data store of copies of the test files (H.E.S.S. in data/hess, MAGIC at the top), indexed by us.</summary>
    internal static string BuildStore()
    {
        string root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "data", "hess"));
        var files = new List<string>();
        foreach (var f in HessFiles) { var to = Path.Combine(root, "data", "hess", Path.GetFileName(f)); File.Copy(f, to); files.Add(to); }
        foreach (var f in MagicFiles) { var to = Path.Combine(root, Path.GetFileName(f)); File.Copy(f, to); files.Add(to); }
        DataStoreIndex.Write(root, files.Select(DataStoreIndex.Scan).ToList(), overwrite: false);
        return root;
    }

    [Fact]
    public void Run_from_a_file_takes_the_events_header()
    {
        var run = Run.FromFile(HessFiles[0]);
        using var f = FitsFile.Open(HessFiles[0]);
        var h = f.Find("EVENTS")!.Header;
        Assert.Equal(h.GetLong("OBS_ID"), run.ObsId);
        Assert.Equal(h.GetDouble("RA_PNT"), run.RaPnt);
        Assert.Equal(h.GetDouble("DEC_PNT"), run.DecPnt);
        Assert.Equal(h.GetDouble("LIVETIME"), run.Livetime);
        Assert.Equal(90.0 - h.GetDouble("ALT_PNT")!.Value, run.Zenith!.Value, 12);
        Assert.Null(run.NsbLevel); // H.E.S.S. writes no NSBLEVEL
        Assert.Equal("bkg_3d", run.BackgroundClass);
        Assert.Equal(["events", "gti", "aeff", "edisp", "psf", "bkg"], run.Hdus.Select(x => x.HduType));
        Assert.NotNull(run.DateObs);
    }

    [Fact]
    public void Magic_files_are_found_by_their_class_keywords()
    {
        var run = Run.FromFile(MagicFiles[0]);
        Assert.Equal(5029747, run.ObsId);
        Assert.Equal("EFFECTIVE AREA", run.FindHdu("aeff")!.HduName);
        Assert.Equal("rad_max_2d", run.FindHdu("rad_max")!.HduClass);
        Assert.Null(run.BackgroundClass);
    }

    [SkippableFact]
    public void The_shared_hess_store_opens_with_all_its_runs()
    {
        string shared = Oracles.RequireSharedData();
        var store = DataStore.Open(Path.Combine(shared, "hess-dl3-dr1"));
        Assert.Equal(105, store.ObsIds.Count);
        var run = store.GetRun(23523);
        var fromFile = Run.FromFile(run.Path);
        Assert.Equal(fromFile.RaPnt, run.RaPnt, 4);
        Assert.Equal(fromFile.Livetime!.Value, run.Livetime!.Value, 3);
        Assert.Equal("bkg_3d", run.BackgroundClass);
        Assert.Equal(Path.Combine(shared, "hess-dl3-dr1"), run.DataStore);
    }

    [Fact]
    public void A_store_we_index_reads_back_the_same_runs_as_the_files()
    {
        string root = BuildStore();
        var store = DataStore.Open(root);
        Assert.Equal(HessFiles.Length + MagicFiles.Length, store.ObsIds.Count);
        foreach (long id in store.ObsIds)
        {
            var fromIndex = store.GetRun(id);
            var fromFile = Run.FromFile(fromIndex.Path);
            Assert.Equal(fromFile.RaPnt, fromIndex.RaPnt);
            Assert.Equal(fromFile.DecPnt, fromIndex.DecPnt);
            Assert.Equal(fromFile.Livetime, fromIndex.Livetime);
            Assert.Equal(fromFile.Zenith!.Value, fromIndex.Zenith!.Value, 9);
            Assert.Equal(fromFile.Object, fromIndex.Object);
            Assert.Equal(fromFile.DateObs, fromIndex.DateObs);
            Assert.Equal(fromFile.Hdus.Select(h => (h.HduType, h.HduClass, h.HduName)), fromIndex.Hdus.Select(h => (h.HduType, h.HduClass, h.HduName)));
        }
    }

    [Fact]
    public void An_index_pointing_to_a_missing_file_names_it_and_other_runs_still_read()
    {
        string root = BuildStore();
        string gone = Path.Combine(root, "data", "hess", Path.GetFileName(HessFiles[0]));
        File.Delete(gone);
        var store = DataStore.Open(root);
        long missing = Run.FromFile(HessFiles[0]).ObsId;
        var e = Assert.Throws<FitsException>(() => store.GetRun(missing));
        Assert.Contains(gone, e.Message);
        Assert.Contains("does not exist", e.Message);
        foreach (long id in store.ObsIds.Where(i => i != missing)) Assert.Equal(id, store.GetRun(id).ObsId);
    }

    [Fact]
    public void Not_a_data_store_is_a_clear_error()
    {
        var e = Assert.Throws<FitsException>(() => DataStore.Open(TestPaths.NewTempDir()));
        Assert.Contains("hdu-index", e.Message);
    }

    [Fact]
    public void Indexing_the_same_run_twice_is_an_error()
    {
        var scanned = DataStoreIndex.Scan(HessFiles[0]);
        var e = Assert.Throws<FitsException>(() => DataStoreIndex.Write(TestPaths.NewTempDir(), [scanned, scanned], false));
        Assert.Contains("more than one file", e.Message);
    }

    [SkippableFact]
    public void Index_files_pass_fitsverify()
    {
        Oracles.Require(Oracle.FitsVerify);
        string root = BuildStore();
        foreach (var name in new[] { "obs-index.fits.gz", "hdu-index.fits.gz" })
        {
            var (errors, warnings, report) = Oracles.Verify(Path.Combine(root, name));
            // The obs-index keeps the column names every IACT tool reads (DATE-OBS, TIME-OBS, ...);
            // fitsverify warns about the '-' in them, and about nothing else.
            int nameWarnings = System.Text.RegularExpressions.Regex.Matches(report, @"Warning: Column #\d+: Name ""(DATE|TIME)-(OBS|AVG|END)"" contains character '-'").Count;
            Assert.True(errors == 0 && warnings == nameWarnings, report);
        }
    }

    [SkippableFact]
    public void Gammapy_opens_a_store_we_index_and_loads_every_observation()
    {
        Oracles.Require(Oracle.Gammapy);
        string root = BuildStore();
        var (code, text) = Oracles.RunPython("load_datastore.py", root);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains($"loaded {HessFiles.Length + MagicFiles.Length} observation(s)", text);
    }
}
