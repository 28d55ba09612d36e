using System.Text;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fuzz;

/// <summary>
/// Named regression cases of issue 9: every defect the hostile-input report listed, each now a
/// FitsException naming the file (and HDU/keyword) or a clean result, never another exception
/// type, a giant allocation or a silently converted unusable run.
/// </summary>
public class MalformedInputTests
{
    private static FuzzCorpus Corpus => FuzzCorpus.Instance;

    private static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Loading and reading every HDU of the file fails with a FitsException naming it.</summary>
    private static FitsException LoadFails(string path, string expected, string? keyword = null)
    {
        var e = Assert.Throws<FitsException>(() =>
        {
            var run = Run.FromFile(path);
            EventList.Read(run);
            using var f = FitsFile.Open(path);
            f.ReadAll();
        });
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        Assert.StartsWith(Path.GetFullPath(path) + ": ", e.Message);
        Assert.DoesNotContain(path, e.Reason);
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        if (keyword is not null) Assert.Equal(keyword, e.Keyword);
        return e;
    }

    private static int EventsHdu(byte[] fits) => FitsMutator.Cards(fits).First(c => c.Keyword == "EXTNAME" && c.ValueText.Contains("'EVENTS")).Hdu;

    [Fact]
    public void Gcount_2_pow_63_minus_1_is_a_header_error()
    {
        var bytes = FitsMutator.WithValue(Corpus.HessSmall, 2, "GCOUNT", "9223372036854775807");
        var e = LoadFails(Write("gcount.fits", bytes), "overflows", "PCOUNT/GCOUNT");
        Assert.Equal(2, e.HduIndex);
    }

    [Fact]
    public void Naxis1_2_pow_63_minus_1_is_a_header_error()
    {
        var bytes = FitsMutator.WithValue(Corpus.MagicSmall, 1, "NAXIS1", "9223372036854775807");
        var e = LoadFails(Write("naxis1.fits", bytes), "overflows", "NAXIS2");
        Assert.Equal(1, e.HduIndex);
    }

    [Fact]
    public void Tform_536870912D_does_not_wrap_the_row_width_or_allocate_gigabytes()
    {
        int hdu = EventsHdu(Corpus.HessSmall);
        int n = FitsMutator.ColumnNumber(Corpus.HessSmall, hdu, "TIME");
        string path = Write("tform.fits", FitsMutator.WithValue(Corpus.HessSmall, hdu, $"TFORM{n}", "'536870912D'"));
        long before = GC.GetTotalAllocatedBytes();
        LoadFails(path, "TIME", "TIME");
        // The reader itself (not only the run check) refuses the table without allocating its claim.
        using (var f = FitsFile.Open(path))
            Assert.Contains("overflow", Assert.Throws<FitsException>(() => f.ReadTable(f.Hdus[hdu])).Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 200_000_000, "a gigabyte-sized allocation was attempted");
    }

    [Fact]
    public void Dec_declared_1C_is_refused_naming_the_column()
    {
        int hdu = EventsHdu(Corpus.HessSmall);
        int n = FitsMutator.ColumnNumber(Corpus.HessSmall, hdu, "DEC");
        var bytes = FitsMutator.WithValue(Corpus.HessSmall, hdu, $"TFORM{n}", "'1C'");
        var e = LoadFails(Write("dec1c.fits", bytes), "DEC", "DEC");
        Assert.Contains("1C", e.Message);
    }

    [Fact]
    public void Energy_declared_4A_is_refused_naming_the_column()
    {
        int hdu = EventsHdu(Corpus.MagicSmall);
        int n = FitsMutator.ColumnNumber(Corpus.MagicSmall, hdu, "ENERGY");
        var bytes = FitsMutator.WithValue(Corpus.MagicSmall, hdu, $"TFORM{n}", "'4A'");
        LoadFails(Write("energy4a.fits", bytes), "ENERGY", "ENERGY");
    }

    [Fact]
    public void Q_descriptor_with_repeat_0_reads_as_empty_arrays_and_writes_back()
    {
        var table = new BinaryTable(3,
        [
            FitsColumn.Create("A", new[] { 1, 2, 3 }),
            new FitsColumn("V", new ColumnFormat(0, 'Q', 'D'), new double[][] { [], [], [] }),
        ]);
        using var ms = new MemoryStream();
        FitsWriter.WriteTo(ms, [ImageHdu.EmptyPrimary(), BinaryTableHdu.Create("T", table)]);
        string path = Write("q0.fits", ms.ToArray());
        using var f = FitsFile.Open(path);
        var t = f.ReadTable(f.Hdus[1]).Table;
        Assert.Equal([1, 2, 3], t["A"].Get<int>());
        Assert.All((double[][])t["V"].Data, row => Assert.Empty(row));
        Assert.Empty(f.VerifyChecksums(requireKeywords: true));
    }

    [Fact]
    public void Image_extension_with_naxis1_2_pow_31_and_no_data_is_a_header_error()
    {
        static string Cards(params string[] cards) =>
            string.Concat(cards.Append("END").Select(c => c.PadRight(80))).PadRight(2880);
        string primary = Cards("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0", "EXTEND  =                    T");
        string image = Cards("XTENSION= 'IMAGE   '", "BITPIX  =                    8", "NAXIS   =                    2",
            "NAXIS1  =           2147483648", "NAXIS2  =                    0", "PCOUNT  =                    0", "GCOUNT  =                    1");
        string path = Write("image.fits", Encoding.ASCII.GetBytes(primary + image));
        using var f = FitsFile.Open(path);
        var e = Assert.Throws<FitsException>(() => f.ReadAll());
        Assert.Equal("NAXIS1", e.Keyword);
        Assert.Equal(1, e.HduIndex);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Ra_pnt_text_NaN_is_refused_when_the_run_is_loaded()
    {
        var e = LoadFails(Write("ranan.fits", FitsMutator.WithValue(Corpus.HessSmall, 1, "RA_PNT", "'NaN'")), "RA_PNT", "RA_PNT");
        Assert.Contains("finite", e.Message);
    }

    [Fact]
    public void Ra_pnt_text_that_is_no_number_is_named()
    {
        var e = LoadFails(Write("raabc.fits", FitsMutator.WithValue(Corpus.HessSmall, 1, "RA_PNT", "'abc'")), "not a number", "RA_PNT");
        Assert.Contains("'abc'", e.Message);
    }

    [Fact]
    public void A_directory_is_said_to_be_a_directory()
    {
        string dir = TestPaths.NewTempDir();
        Assert.Contains("directory", Assert.Throws<FitsException>(() => FitsFile.Open(dir)).Message);
        Assert.Contains("directory", Assert.Throws<FitsException>(() => Run.FromFile(dir)).Message);
    }

    // ------------------------------------------------------------ unusable runs (deliverable 4)

    private static byte[] Invalid(string name) => Corpus.InvalidRuns().Single(r => r.Name == name).Bytes;

    /// <summary>Converting the run as the background run fails naming it, and no output is written.</summary>
    private static FitsException ConvertFails(string name, string expected, string keyword)
    {
        string path = Write(name + ".fits", Invalid(name));
        string output = Path.Combine(TestPaths.NewTempDir(), "out.fits");
        var target = Run.FromFile(Corpus.TargetPath);
        var e = Assert.Throws<FitsException>(() =>
            FovConverter.Convert(Run.FromFile(path), target, new ConvertOptions { OutputPath = output, Seed = 1 }));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(keyword, e.Keyword);
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!));
        return e;
    }

    private static void BackgroundFails(string name, string keyword)
    {
        string path = Write(name + ".fits", Invalid(name));
        var e = Assert.Throws<FitsException>(() =>
        {
            var run = Run.FromFile(path);
            BackgroundModelBuilder.Build(run, [run], new BackgroundModelOptions());
        });
        Assert.Equal(keyword, e.Keyword);
    }

    [Fact]
    public void Zero_events_is_an_error()
    {
        LoadFails(Write("noevents.fits", Invalid("no-events")), "no events", "NAXIS2");
        BackgroundFails("no-events", "NAXIS2");
    }

    [Fact]
    public void Livetime_zero_is_an_error()
    {
        LoadFails(Write("live0.fits", Invalid("livetime-zero")), "LIVETIME", "LIVETIME");
        BackgroundFails("livetime-zero", "LIVETIME");
    }

    [Fact]
    public void Negative_ontime_is_an_error() =>
        LoadFails(Write("ontime.fits", Invalid("ontime-negative")), "positive", "ONTIME");

    [Fact]
    public void Dec_pnt_beyond_90_is_an_error() =>
        LoadFails(Write("dec91.fits", Invalid("dec-pnt-91")), "[-90, 90]", "DEC_PNT");

    [Fact]
    public void Gti_stop_before_start_is_an_error()
    {
        ConvertFails("gti-stop-before-start", "stops before it starts", "STOP");
        BackgroundFails("gti-stop-before-start", "STOP");
    }

    [Fact]
    public void NaN_event_coordinates_are_an_error_and_never_written()
    {
        var e = ConvertFails("nan-ra-events", "non-finite RA", "RA");
        Assert.Contains("3 of", e.Message);
        ConvertFails("nan-dec-events", "non-finite DEC", "DEC");
        BackgroundFails("nan-ra-events", "RA");
    }

    [Fact]
    public void Missing_energy_or_time_column_is_an_error()
    {
        LoadFails(Write("noenergy.fits", Invalid("no-energy-column")), "no ENERGY column", "ENERGY");
        LoadFails(Write("notime.fits", Invalid("no-time-column")), "no TIME column", "TIME");
    }

    [Fact]
    public void An_empty_background_table_is_not_copied()
    {
        string target = Write("emptybkg.fits", Corpus.EmptyBackground());
        string output = Path.Combine(TestPaths.NewTempDir(), "out.fits");
        var e = Assert.Throws<FitsException>(() => FovConverter.Convert(Run.FromFile(Corpus.BackgroundPath), Run.FromFile(target),
            new ConvertOptions { OutputPath = output, CopyBackground = true, Seed = 1 }));
        Assert.Equal(target, e.FilePath);
        Assert.Contains("empty", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_bad_obs_index_row_is_named_by_row_and_obs_id_and_the_other_runs_load()
    {
        string store = TestPaths.NewTempDir();
        foreach (var f in Directory.GetFiles(Corpus.StoreFolder)) File.Copy(f, Path.Combine(store, Path.GetFileName(f)));
        string obsIndex = DataStore.ObsIndexNames.Select(n => Path.Combine(store, n)).First(File.Exists);
        var ds = DataStore.Open(store);
        long bad = ds.ObsIds[1];
        // The obs-index with row 2's RA_PNT set to NaN (through the reader and writer: a real table edit).
        var bytes = FitsMutator.Rewrite(FuzzCorpus.Decompressed(obsIndex), (i, h) =>
        {
            if (h is BinaryTableHdu t && t.Table.Find("RA_PNT") is { } ra)
            {
                if (ra.Data is double[] d) d[1] = double.NaN; else ((float[])ra.Data)[1] = float.NaN;
            }
            return h;
        });
        File.Delete(obsIndex);
        File.WriteAllBytes(Path.Combine(store, "obs-index.fits"), bytes);
        ds = DataStore.Open(store);
        var e = Assert.Throws<FitsException>(() => ds.GetRun(bad));
        Assert.Contains("row 2", e.Message);
        Assert.Contains($"OBS_ID {bad}", e.Message);
        Assert.Equal("RA_PNT", e.Keyword);
        Assert.Equal(Path.Combine(store, "obs-index.fits"), e.FilePath);
        Assert.Equal(2, ds.ObsIds.Where(id => id != bad).Select(ds.GetRun).Count());
    }

    [Fact]
    public void Unexpected_exceptions_inside_one_file_become_a_FitsException_naming_it()
    {
        var e = Assert.Throws<FitsException>(() => FitsException.Guard<int>("/data/x.fits", () => throw new OverflowException("boom")));
        Assert.Equal("/data/x.fits", e.FilePath);
        Assert.IsType<OverflowException>(e.InnerException);
        var inner = new FitsException("inner", "/data/y.fits");
        Assert.Same(inner, Assert.Throws<FitsException>(() => FitsException.Guard<int>("/data/x.fits", () => throw new AggregateException(inner))));
        // Programming errors are not the file's fault: they pass through.
        Assert.Throws<ArgumentNullException>(() => FitsException.Guard<int>("/data/x.fits", () => throw new ArgumentNullException("p")));
        Assert.Throws<NullReferenceException>(() => FitsException.Guard<int>("/data/x.fits", () => throw new NullReferenceException()));
    }
}
