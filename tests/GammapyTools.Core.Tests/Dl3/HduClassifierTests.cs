using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Dl3;

/// <summary>
/// Files without HDUCLAS keys (CTA 1DC, older files) are classified by their GADF EXTNAMEs; two
/// candidates for one role are an error naming the file and the HDUs; a background model copied by
/// Convert-Fov -CopyBackground must be a background table. The CTA-1DC-like files are H.E.S.S. DR1
/// files of tests/data with every HDUCLAS key removed (deterministic, written by our FitsWriter).
/// </summary>
public class HduClassifierTests
{
    private static readonly string[] HessFiles = DataStoreTests.HessFiles;

    private static readonly string[] ClassKeys = ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4", "HDUDOC", "HDUVERS"];

    /// <summary>Writes a copy of a file after <paramref name="edit"/> has changed its HDUs.</summary>
    internal static string Rewrite(string source, string path, Action<List<Hdu>> edit)
    {
        List<Hdu> hdus;
        using (var f = FitsFile.Open(source)) hdus = f.ReadAll().ToList();
        edit(hdus);
        FitsWriter.Write(path, hdus, overwrite: true);
        return path;
    }

    /// <summary>A CTA-1DC-like file: no HDUCLAS key anywhere, GADF EXTNAMEs (EVENTS, GTI, AEFF, EDISP, PSF, BKG).</summary>
    internal static string CtaLike(string source, string path) =>
        Rewrite(source, path, hdus => { foreach (var h in hdus) foreach (var k in ClassKeys) h.Header.Remove(k); });

    [Fact]
    public void A_file_without_HDUCLAS_keys_is_classified_by_its_EXTNAMEs_as_its_keys_would()
    {
        string dir = TestPaths.NewTempDir();
        string cta = CtaLike(HessFiles[0], Path.Combine(dir, "cta_like.fits"));
        using (var f = FitsFile.Open(cta)) Assert.DoesNotContain(f.Hdus, h => HduClassifier.HasClassKeys(h.Header));
        var original = Run.FromFile(HessFiles[0]);
        var run = Run.FromFile(cta);
        Assert.Equal(original.ObsId, run.ObsId);
        Assert.Equal(original.Hdus.Select(h => (h.HduType, h.HduClass, h.HduName)), run.Hdus.Select(h => (h.HduType, h.HduClass, h.HduName)));
        Assert.Equal("bkg_3d", run.BackgroundClass);
        // A data store indexes it like any other file.
        var scanned = DataStoreIndex.Scan(cta);
        Assert.Equal(run.Hdus.Select(h => h.HduType), scanned.Hdus.Select(h => h.Location.HduType));
    }

    [Fact]
    public void Convert_Fov_reads_and_writes_a_file_without_HDUCLAS_keys()
    {
        string dir = TestPaths.NewTempDir();
        string cta = CtaLike(HessFiles[0], Path.Combine(dir, "cta_like.fits"));
        // As the background run: the output carries the GADF keys, so it is classified by them.
        var r1 = FovConverter.Convert(Run.FromFile(cta), Run.FromFile(HessFiles[1]),
            new ConvertOptions { OutputPath = Path.Combine(dir, "out1.fits"), CopyBackground = true });
        Assert.Equal(["events", "gti", "aeff", "edisp", "psf", "bkg"], r1.Run.Hdus.Select(h => h.HduType));
        using (var f = FitsFile.Open(r1.OutputPath)) Assert.All(f.Hdus.Skip(1), h => Assert.NotNull(HduClassifier.Classify(h.Header)));
        // As the target: its BKG (found by name) is copied in, as a background table.
        var r2 = FovConverter.Convert(Run.FromFile(HessFiles[1]), Run.FromFile(cta),
            new ConvertOptions { OutputPath = Path.Combine(dir, "out2.fits"), CopyBackground = true });
        Assert.Equal("bkg_3d", r2.BackgroundClass);
        using var o = FitsFile.Open(r2.OutputPath);
        using var t = FitsFile.Open(cta);
        var copied = o.ReadTable(o.Find(h => HduClassifier.Classify(h)?.Type == "bkg")!).Table;
        Assert.Equal(t.ReadTable("BKG").Table["BKG"].Get<float>(), copied["BKG"].Get<float>());
    }

    [Fact]
    public void Two_EVENTS_HDUs_without_HDUCLAS_keys_are_an_error_naming_both()
    {
        string dir = TestPaths.NewTempDir();
        string cta = CtaLike(HessFiles[0], Path.Combine(dir, "cta_like.fits"));
        string two = Rewrite(cta, Path.Combine(dir, "two_events.fits"), hdus => hdus.Add(hdus[1]));
        var e = Assert.Throws<FitsException>(() => Run.FromFile(two));
        Assert.Contains("2 events HDUs", e.Message);
        Assert.Contains("#1 EVENTS", e.Message);
        Assert.Contains("#7 EVENTS", e.Message);
        Assert.EndsWith("two_events.fits", e.FilePath);
        Assert.Throws<FitsException>(() => DataStoreIndex.Scan(two));
    }

    [Fact]
    public void Two_EVENTS_HDUs_by_HDUCLAS_keys_are_an_error()
    {
        string dir = TestPaths.NewTempDir();
        string two = Rewrite(HessFiles[0], Path.Combine(dir, "two_events.fits"), hdus => hdus.Add(hdus[1]));
        var e = Assert.Throws<FitsException>(() => Run.FromFile(two));
        Assert.Contains("2 events HDUs", e.Message);
    }

    [Fact]
    public void An_events_like_table_named_BACKGROUND_is_an_error_naming_it()
    {
        string dir = TestPaths.NewTempDir();
        string cta = CtaLike(HessFiles[0], Path.Combine(dir, "cta_like.fits"));
        string bad = Rewrite(cta, Path.Combine(dir, "events_as_background.fits"), hdus =>
        {
            hdus.RemoveAll(h => h.Header.GetString("EXTNAME") == "BKG");
            var copy = new BinaryTableHdu(hdus[1].Header.Clone(), ((BinaryTableHdu)hdus[1]).Table);
            copy.Header.Set("EXTNAME", "BACKGROUND");
            hdus.Add(copy);
        });
        var e = Assert.Throws<FitsException>(() => Run.FromFile(bad));
        Assert.Contains("BACKGROUND", e.Message);
        Assert.Contains("background", e.Message);
        Assert.EndsWith("events_as_background.fits", e.FilePath);
    }

    /// <summary>
    /// The measured failure: a target whose background HDU has the EXTNAME of its events table had its
    /// EVENTS table copied in as the background model. Now the HDU of the background role is taken.
    /// </summary>
    [Fact]
    public void A_duplicate_EXTNAME_never_copies_an_events_table_as_the_background()
    {
        string dir = TestPaths.NewTempDir();
        string dup = Rewrite(HessFiles[1], Path.Combine(dir, "dup_extname.fits"), hdus =>
            hdus.Single(h => h.Header.GetString("EXTNAME") == "BKG").Header.Set("EXTNAME", "EVENTS"));
        var target = Run.FromFile(dup);
        Assert.Equal("EVENTS", target.FindHdu("bkg")!.HduName);
        var r = FovConverter.Convert(Run.FromFile(HessFiles[0]), target,
            new ConvertOptions { OutputPath = Path.Combine(dir, "out.fits"), CopyBackground = true });
        using var o = FitsFile.Open(r.OutputPath);
        var bkg = o.Find(h => HduClassifier.Classify(h)?.Type == "bkg")!;
        var table = o.ReadTable(bkg).Table;
        Assert.True(table.Contains("BKG"));
        Assert.False(table.Contains("RA"));
    }

    [Fact]
    public void An_index_that_names_an_HDU_of_another_role_is_an_error()
    {
        string file = HessFiles[1];
        using var f = FitsFile.Open(file);
        var wrong = new HduLocation("bkg", "bkg_3d", file, "EVENTS");
        var e = Assert.Throws<FitsException>(() => HduClassifier.Find(f, wrong));
        Assert.Contains("EVENTS", e.Message);
        Assert.Contains("events", e.Message);
        // A name the file does not have, with one HDU of the role: that HDU (the index names it differently).
        Assert.Equal("BKG", HduClassifier.Find(f, new HduLocation("bkg", "bkg_3d", file, "BACKGROUND")).Name);
    }

    [Fact]
    public void CopyBackground_refuses_a_background_HDU_that_is_not_a_background_table()
    {
        string dir = TestPaths.NewTempDir();
        // HDUCLAS says BKG, but the table is the events table.
        string bad = Rewrite(HessFiles[1], Path.Combine(dir, "events_classed_bkg.fits"), hdus =>
        {
            hdus.RemoveAll(h => h.Header.GetString("EXTNAME") == "BKG");
            var copy = new BinaryTableHdu(hdus[1].Header.Clone(), ((BinaryTableHdu)hdus[1]).Table);
            copy.Header.Set("EXTNAME", "BKG");
            copy.Header.Set("HDUCLAS1", "RESPONSE"); copy.Header.Set("HDUCLAS2", "BKG"); copy.Header.Set("HDUCLAS4", "BKG_3D");
            hdus.Add(copy);
        });
        var target = Run.FromFile(bad);
        string output = Path.Combine(dir, "out.fits");
        var e = Assert.ThrowsAny<Exception>(() => FovConverter.Convert(Run.FromFile(HessFiles[0]), target,
            new ConvertOptions { OutputPath = output, CopyBackground = true }));
        Assert.Contains("not a GADF background table", e.Message);
        Assert.False(File.Exists(output));
    }
}
