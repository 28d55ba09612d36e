using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

/// <summary>Every TFORM type, with vector columns, TDIM, unsigned integers, TSCAL/TZERO and TNULL.</summary>
public class FitsTypesTests(ITestOutputHelper output)
{
    private const int Rows = 5;

    /// <summary>The table check_all_types.py expects; keep the two in step.</summary>
    internal static BinaryTableHdu AllTypesTable()
    {
        var cols = new List<FitsColumn>
        {
            FitsColumn.Create("L", Enumerable.Range(0, Rows).Select(i => i % 2 == 0).ToArray()),
            new("X", new ColumnFormat(12, 'X'), Enumerable.Range(0, Rows * 2).Select(i => (byte)(i % 2 == 0 ? i * 17 : (i * 17) & 0xF0)).ToArray()),
            FitsColumn.Create("B", Enumerable.Range(0, Rows).Select(i => (byte)(250 + i)).ToArray()),
            FitsColumn.Create("SB", Enumerable.Range(0, Rows).Select(i => (sbyte)(-3 + i)).ToArray()),
            FitsColumn.Create("I", Enumerable.Range(0, Rows).Select(i => (short)(-300 * i)).ToArray()),
            FitsColumn.Create("UI", Enumerable.Range(0, Rows).Select(i => (ushort)(65535 - i)).ToArray()),
            FitsColumn.Create("J", Enumerable.Range(0, Rows).Select(i => -70000 * i).ToArray()),
            FitsColumn.Create("UJ", Enumerable.Range(0, Rows).Select(i => 4294967295u - (uint)i).ToArray()),
            FitsColumn.Create("K", Enumerable.Range(0, Rows).Select(i => long.MinValue + i).ToArray()),
            FitsColumn.Create("UK", Enumerable.Range(0, Rows).Select(i => ulong.MaxValue - (ulong)i).ToArray()),
            FitsColumn.Create("A", Enumerable.Range(0, Rows).Select(i => new string('x', i) + "y").ToArray(), repeat: 8),
            FitsColumn.Create("E", Enumerable.Range(0, Rows * 6).Select(i => i * 0.25f).ToArray(), repeat: 6, unit: "deg", dim: [3, 2]),
            FitsColumn.Create("D", Enumerable.Range(0, Rows).Select(i => Math.PI * i).ToArray(), unit: "s"),
            new("C", new ColumnFormat(1, 'C'), Enumerable.Range(0, Rows * 2).Select(i => (float)i).ToArray()),
            new("M", new ColumnFormat(2, 'M'), Enumerable.Range(0, Rows * 4).Select(i => -(double)i).ToArray()),
            FitsColumn.CreateVariableLength("PE", Enumerable.Range(0, Rows).Select(i => Enumerable.Range(0, i).Select(k => (float)(i + k)).ToArray()).ToArray()),
            new("QJ", new ColumnFormat(1, 'Q', 'J', 0), Enumerable.Range(0, Rows).Select(i => Enumerable.Range(0, 2 * i).ToArray()).ToArray()),
            new("SCALED", new ColumnFormat(1, 'I'), Enumerable.Range(0, Rows).Select(i => (short)i).ToArray()) { Scale = 0.5, Zero = 10.0 },
            new("NULLED", new ColumnFormat(1, 'J'), new[] { 1, -99, 3, -99, 5 }) { Null = -99 },
        };
        var hdu = BinaryTableHdu.Create("ALLTYPES", new BinaryTable(Rows, cols));
        hdu.Header.Set("LONGSTR", string.Concat(Enumerable.Repeat("0123456789", 12)));
        return hdu;
    }

    [Fact]
    public void Every_type_round_trips_through_our_reader()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "types.fits");
        var original = AllTypesTable();
        FitsWriter.Write(path, [original]);
        using var f = FitsFile.Open(path);
        Assert.Equal(2, f.Hdus.Count);
        var back = f.ReadTable("ALLTYPES");
        foreach (var c in original.Table.Columns)
        {
            var b = back.Table[c.Name];
            Assert.Equal(c.Data.GetType(), b.Data.GetType());
            if (c.Format.IsVariableLength)
                for (int r = 0; r < Rows; r++) Assert.Equal((Array)c.Data.GetValue(r)!, (Array)b.Data.GetValue(r)!);
            else
                Assert.Equal(c.Data, b.Data);
            Assert.Equal(c.Unit, b.Unit);
            Assert.Equal(c.Dim, b.Dim);
        }
        Assert.Equal(new[] { 10.0, 10.5, 11.0, 11.5, 12.0 }, back.Table["SCALED"].ToDoubles());
        Assert.Equal(-99, back.Table["NULLED"].Null);
        Assert.Equal(original.Header["LONGSTR"], back.Header["LONGSTR"]);
        Assert.Empty(f.VerifyChecksums(requireKeywords: true));
    }

    [Fact]
    public void Only_the_requested_columns_are_decoded()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "types.fits");
        FitsWriter.Write(path, [AllTypesTable()]);
        using var f = FitsFile.Open(path);
        var t = f.ReadTable("ALLTYPES", ["D", "e"]);
        Assert.Equal(["E", "D"], t.Table.Columns.Select(c => c.Name)); // in the file's order
        var e = Assert.Throws<FitsException>(() => f.ReadTable("ALLTYPES", ["NOPE"]));
        Assert.Contains("NOPE", e.Message);
    }

    [Fact]
    public void Gzip_files_are_written_and_read()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "types.fits.gz");
        FitsWriter.Write(path, [AllTypesTable()]);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x1F, bytes[0]);
        using var f = FitsFile.Open(path);
        Assert.True(f.IsCompressed);
        Assert.Equal(Math.PI * 4, f.ReadTable("ALLTYPES").Table["D"].Get<double>()[4]);
    }

    [SkippableFact]
    public void Astropy_reads_every_type_as_written()
    {
        Oracles.Require(Oracle.Astropy);
        string path = Path.Combine(TestPaths.NewTempDir(), "types.fits");
        FitsWriter.Write(path, [AllTypesTable()]);
        var (code, text) = Oracles.RunPython("check_all_types.py", path);
        output.WriteLine(text);
        Assert.True(code == 0, text);
    }

    [SkippableFact]
    public void Fitsverify_accepts_every_type()
    {
        Oracles.Require(Oracle.FitsVerify);
        string path = Path.Combine(TestPaths.NewTempDir(), "types.fits");
        FitsWriter.Write(path, [AllTypesTable()]);
        var (errors, warnings, report) = Oracles.Verify(path);
        output.WriteLine(report);
        Assert.True(errors == 0 && warnings == 0, report);
    }

    [Fact]
    public void Images_round_trip()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "image.fits");
        var data = Enumerable.Range(0, 12).Select(i => i * 1.5f).ToArray();
        var primary = new ImageHdu(new FitsHeader(), true, [4, 3], data);
        var ext = new ImageHdu(new FitsHeader(), false, [5], new short[] { 1, -2, 3, -4, 5 });
        ext.Header.Set("EXTNAME", "SMALL");
        FitsWriter.Write(path, [primary, ext]);
        using var f = FitsFile.Open(path);
        Assert.Equal(data, (float[])f.ReadImage(f.Hdus[0]).Data!);
        Assert.Equal(new short[] { 1, -2, 3, -4, 5 }, (short[])f.ReadImage(f.Find("SMALL")!).Data!);
        Assert.Equal(new[] { 4, 3 }, f.ReadImage(f.Hdus[0]).Axes);
    }
}
