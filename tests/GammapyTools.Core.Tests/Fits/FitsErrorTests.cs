using System.Text;
using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

/// <summary>Bad input gets an error that names the file and the problem, never a hang or a crash.</summary>
public class FitsErrorTests
{
    private static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ValidFile()
    {
        using var ms = new MemoryStream();
        FitsWriter.WriteTo(ms, [FitsTypesTests.AllTypesTable()]);
        return ms.ToArray();
    }

    private static FitsException Fails(string path, string expected)
    {
        var e = Assert.Throws<FitsException>(() =>
        {
            using var f = FitsFile.Open(path);
            foreach (var h in f.Hdus) f.ReadHdu(h);
        });
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Fact] public void Empty_file() => Fails(Write("empty.fits", []), "empty");

    [Fact] public void Not_fits() => Fails(Write("text.fits", Encoding.ASCII.GetBytes(new string('x', 5000))), "not a FITS file");

    [Fact] public void Missing_file() => Assert.Contains("not found", Assert.Throws<FitsException>(() => FitsFile.Open("/nonexistent/run.fits")).Message);

    [Fact]
    public void Truncated_in_the_data()
    {
        var bytes = ValidFile();
        Fails(Write("truncated.fits", bytes[..(bytes.Length - 2880 - 1000)]), "truncated");
    }

    [Fact]
    public void Truncated_in_a_header()
    {
        var bytes = ValidFile();
        Fails(Write("truncated_header.fits", bytes[..(2880 + 1000)]), "truncated");
    }

    [Fact]
    public void Wrong_block_size()
    {
        var bytes = ValidFile();
        // Cut only padding: the data are complete, but the file is not whole blocks.
        Fails(Write("blocks.fits", bytes[..(bytes.Length - 7)]), "2880");
    }

    [Fact]
    public void Bad_tform_is_named()
    {
        var bytes = ValidFile();
        string text = Encoding.ASCII.GetString(bytes);
        int at = text.IndexOf("TFORM1  = '1L", StringComparison.Ordinal);
        Assert.True(at > 0);
        Encoding.ASCII.GetBytes("TFORM1  = '1Z").CopyTo(bytes, at);
        string path = Write("badtform.fits", bytes);
        // Listing HDUs reads headers only, so it still works; decoding the table names the problem.
        using (var f = FitsFile.Open(path)) Assert.Equal(2, f.Hdus.Count);
        var e = Fails(path, "TFORM");
        Assert.Contains("'Z'", e.Message);
    }

    [Fact]
    public void Corrupt_gzip()
    {
        string gz = Path.Combine(TestPaths.NewTempDir(), "ok.fits.gz");
        FitsWriter.Write(gz, [FitsTypesTests.AllTypesTable()]);
        var bytes = File.ReadAllBytes(gz);
        Fails(Write("bad.fits.gz", bytes[..(bytes.Length / 2)]), "gzip");
    }

    [Fact]
    public void Checksum_verification_finds_a_changed_byte()
    {
        var bytes = ValidFile();
        string path = Write("changed.fits", bytes);
        long dataOffset;
        using (var ok = FitsFile.Open(path))
        {
            Assert.Empty(ok.VerifyChecksums(requireKeywords: true));
            dataOffset = ok.Hdus[1].DataOffset;
        }
        bytes[dataOffset + 10] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        using var f = FitsFile.Open(path);
        var problems = f.VerifyChecksums();
        Assert.NotEmpty(problems);
        Assert.Contains("DATASUM", string.Join("\n", problems));
    }

    [Fact]
    public void A_failed_write_leaves_nothing_behind()
    {
        string dir = TestPaths.NewTempDir();
        var bad = BinaryTableHdu.Create("BAD", new BinaryTable(1, [FitsColumn.Create("S", new[] { "non-ascii é" }, repeat: 20)]));
        var e = Assert.Throws<FitsException>(() => FitsWriter.Write(Path.Combine(dir, "out.fits"), [bad]));
        Assert.Contains("out.fits", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Existing_files_are_not_overwritten_unless_asked()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "out.fits");
        File.WriteAllText(path, "keep me");
        Assert.Throws<FitsException>(() => FitsWriter.Write(path, [FitsTypesTests.AllTypesTable()]));
        Assert.Equal("keep me", File.ReadAllText(path));
        FitsWriter.Write(path, [FitsTypesTests.AllTypesTable()], overwrite: true);
        using var f = FitsFile.Open(path);
        Assert.Equal(2, f.Hdus.Count);
    }
}
