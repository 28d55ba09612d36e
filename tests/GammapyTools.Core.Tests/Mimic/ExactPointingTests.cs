using System.Globalization;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// Convert-Fov takes the target's pointing from its EVENTS header (double), never from an obs-index
/// row: official obs-index files (H.E.S.S. DR1, VERITAS) store RA_PNT/DEC_PNT as float32, ~2e-6° off.
/// </summary>
public class ExactPointingTests(ITestOutputHelper output)
{
    /// <summary>A data store of the test's H.E.S.S. files whose obs-index holds float32 pointing and object columns, as H.E.S.S. DR1's does.</summary>
    private static string Float32Store()
    {
        string root = GammapyTools.Tests.Dl3.DataStoreTests.BuildStore();
        string obsIndex = Path.Combine(root, DataStore.ObsIndexNames[0]);
        BinaryTableHdu hdu;
        using (var f = FitsFile.Open(obsIndex)) hdu = f.ReadTable(f.Find("OBS_INDEX")!);
        string[] narrow = ["RA_PNT", "DEC_PNT", "RA_OBJ", "DEC_OBJ"];
        var columns = hdu.Table.Columns.Select(c => narrow.Contains(c.Name)
            ? FitsColumn.Create(c.Name, c.ToDoubles().Select(v => (float)v).ToArray(), unit: "deg")
            : c).ToList();
        FitsWriter.Write(obsIndex, [new BinaryTableHdu(hdu.Header, new BinaryTable(hdu.Table.RowCount, columns))], overwrite: true);
        return root;
    }

    [SkippableFact]
    public void A_target_from_a_data_store_gives_its_header_pointing_and_events_that_agree_with_astropy()
    {
        var store = DataStore.Open(Float32Store());
        var target = store.GetRun(23526);
        using var tf = FitsFile.Open(target.Path);
        var th = tf.Find("EVENTS")!.Header;
        double ra = th.GetDouble("RA_PNT")!.Value, dec = th.GetDouble("DEC_PNT")!.Value;
        double indexError = new SkyCoord(target.RaPnt, target.DecPnt).SeparationTo(new SkyCoord(ra, dec));
        output.WriteLine($"obs-index pointing is {indexError:E2}° off the header's");
        Assert.True(indexError > 1e-7, "the test needs an index pointing that differs from the header's");

        string dir = TestPaths.NewTempDir();
        // Background events in double, so that the comparison with astropy is not limited by float32.
        string bkgPath = new SyntheticRun(777, new SkyCoord(84.5, 21.0), 2000, 5) { DoubleRaDec = true }.Write(Path.Combine(dir, "bkg.fits"));
        var bkg = Run.FromFile(bkgPath);
        var result = FovConverter.Convert(bkg, target, new ConvertOptions { OutputPath = Path.Combine(dir, "out.fits"), CopyBackground = true });

        using var of = FitsFile.Open(result.OutputPath);
        var oh = of.Find("EVENTS")!.Header;
        Assert.Equal(ra, oh.GetDouble("RA_PNT"));
        Assert.Equal(dec, oh.GetDouble("DEC_PNT"));
        Assert.Equal(th.GetDouble("RA_OBJ"), oh.GetDouble("RA_OBJ"));
        Assert.Equal(th.GetDouble("DEC_OBJ"), oh.GetDouble("DEC_OBJ"));
        Assert.Equal(new SkyCoord(ra, dec), result.To);
        var gal = new SkyCoord(ra, dec).ToGalactic();
        if (oh.GetDouble("GLON_PNT") is double l) Assert.Equal(gal.L, l, 12);

        Oracles.Require(Oracle.Astropy);
        using var bf = FitsFile.Open(bkgPath);
        var before = bf.ReadTable("EVENTS").Table; var after = of.ReadTable("EVENTS").Table;
        double[] ra0 = before["RA"].ToDoubles(), dec0 = before["DEC"].ToDoubles(), ra1 = after["RA"].ToDoubles(), dec1 = after["DEC"].ToDoubles();
        var csv = new System.Text.StringBuilder("ra_from,dec_from,ra_to,dec_to,ra,dec,ra_ours,dec_ours\n");
        for (int i = 0; i < ra0.Length; i++)
            csv.AppendLine(string.Join(",", new[] { bkg.RaPnt, bkg.DecPnt, ra, dec, ra0[i], dec0[i], ra1[i], dec1[i] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        string path = Path.Combine(dir, "repoint.csv");
        File.WriteAllText(path, csv.ToString());
        // repoint_skyoffset.py fails above 1e-6°: a float32 index pointing (here ~1e-6°) would not pass.
        var (code, text) = Oracles.RunPython("repoint_skyoffset.py", path);
        output.WriteLine(text);
        Assert.True(code == 0, text);
    }
}
