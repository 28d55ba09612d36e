using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

public class FitsRoundTripTests(ITestOutputHelper output)
{
    public static IEnumerable<string> RealFiles()
    {
        var files = new List<string>();
        files.AddRange(Directory.GetFiles(TestPaths.Data("hess-dl3-dr1", "data"), "*.fits.gz"));
        files.AddRange(Directory.GetFiles(TestPaths.Data("magic-rad-max"), "*.fits*"));
        files.Add(TestPaths.Data("catalogs", "gammacat.fits.gz"));
        return files.OrderBy(f => f);
    }

    /// <summary>All real files the tests can reach: the copies in tests/data, plus all of ../shared/data when present.</summary>
    private static List<string> AllRealFiles()
    {
        var files = RealFiles().ToList();
        if (TestPaths.SharedData is { } shared)
        {
            files.AddRange(Directory.GetFiles(Path.Combine(shared, "hess-dl3-dr1"), "*.fits.gz", SearchOption.AllDirectories));
            files.AddRange(Directory.GetFiles(Path.Combine(shared, "magic-rad-max"), "*.fits*"));
        }
        return files;
    }

    private static string RoundTrip(string source, string dir)
    {
        string target = Path.Combine(dir, Guid.NewGuid().ToString("N")[..8] + "_" + Path.GetFileName(source));
        using var f = FitsFile.Open(source);
        FitsWriter.Write(target, f.ReadAll());
        return target;
    }

    [Fact]
    public void Real_files_read_and_written_back_have_identical_values_by_our_reader()
    {
        string dir = TestPaths.NewTempDir();
        foreach (var source in RealFiles())
        {
            string written = RoundTrip(source, dir);
            using var a = FitsFile.Open(source);
            using var b = FitsFile.Open(written);
            Assert.Equal(a.Hdus.Count, b.Hdus.Count);
            for (int i = 0; i < a.Hdus.Count; i++)
            {
                var ha = a.ReadHdu(a.Hdus[i]);
                var hb = b.ReadHdu(b.Hdus[i]);
                Assert.Equal(ha.GetType(), hb.GetType());
                foreach (var card in ha.Header.Where(c => !c.IsCommentary && c.Keyword is not ("CHECKSUM" or "DATASUM")))
                    Assert.True(Equals(card.Value, hb.Header[card.Keyword]), $"{source} HDU {i} {card.Keyword}: {card.Value} became {hb.Header[card.Keyword]}");
                if (ha is BinaryTableHdu ta && hb is BinaryTableHdu tb)
                {
                    Assert.Equal(ta.Table.RowCount, tb.Table.RowCount);
                    for (int c = 0; c < ta.Table.Columns.Count; c++)
                    {
                        Assert.Equal(ta.Table.Columns[c].Name, tb.Table.Columns[c].Name);
                        Assert.Equal(ta.Table.Columns[c].Data, tb.Table.Columns[c].Data);
                    }
                }
            }
            Assert.Empty(b.VerifyChecksums(requireKeywords: true));
        }
    }

    [SkippableFact]
    public void Astropy_reads_the_same_values_from_every_real_file_we_write_back()
    {
        Oracles.Require(Oracle.Astropy);
        string dir = TestPaths.NewTempDir();
        var args = new List<string>();
        foreach (var source in AllRealFiles())
        {
            args.Add(source);
            args.Add(RoundTrip(source, dir));
        }
        var (code, text) = Oracles.RunPython("compare_fits.py", args.ToArray());
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains($"compared {args.Count / 2} file(s): 0 problem(s)", text);
    }

    [SkippableFact]
    public void Fitsverify_finds_no_error_and_no_warning_in_files_we_write()
    {
        Oracles.Require(Oracle.FitsVerify);
        string dir = TestPaths.NewTempDir();
        foreach (var source in RealFiles())
        {
            string written = RoundTrip(source, dir);
            var (errors, warnings, report) = Oracles.Verify(written);
            Assert.True(errors == 0 && warnings == 0, $"{source}:\n{report}");
        }
    }

    [Fact]
    public void Reading_the_input_never_changes_it()
    {
        string dir = TestPaths.NewTempDir();
        foreach (var source in RealFiles().Take(3))
        {
            byte[] before = File.ReadAllBytes(source);
            RoundTrip(source, dir);
            Assert.Equal(before, File.ReadAllBytes(source));
        }
    }
}
