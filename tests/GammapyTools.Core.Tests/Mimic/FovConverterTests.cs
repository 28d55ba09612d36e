using System.Globalization;
using System.Security.Cryptography;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

public class FovConverterTests(ITestOutputHelper output)
{
    internal static readonly string HessA = TestPaths.Data("hess-dl3-dr1", "data", "hess_dl3_dr1_obs_id_023523.fits.gz");
    internal static readonly string HessB = TestPaths.Data("hess-dl3-dr1", "data", "hess_dl3_dr1_obs_id_023526.fits.gz");
    internal static readonly string MagicA = TestPaths.Data("magic-rad-max", "20131004_05029747_DL3_CrabNebula-W0.40+035.fits");
    internal static readonly string MagicB = TestPaths.Data("magic-rad-max", "20131004_05029748_DL3_CrabNebula-W0.40+215.fits");

    /// <summary>Original and target pointings: ordinary fields, Dec ±85°, and RA across 0/360.</summary>
    public static readonly (SkyCoord From, SkyCoord To)[] Pairs =
    [
        (new(83.63, 22.01), new(184.467, 30.117)),
        (new(83.63, 22.01), new(10.0, 85.0)),
        (new(300.0, -20.0), new(200.0, -85.0)),
        (new(359.9, 0.5), new(0.2, -1.0)),
        (new(0.3, 40.0), new(359.7, 41.0)),
        (new(120.0, 84.0), new(300.0, -84.5)),
    ];

    /// <summary>Events around a pointing out to 2.5° at all position angles, plus a few crossing RA 0.</summary>
    private static (double[] Ra, double[] Dec) EventsAround(SkyCoord p, int n = 5000)
    {
        var rng = new MimicRandom(99, (ulong)(p.Ra * 1000));
        var ra = new double[n]; var dec = new double[n];
        for (int i = 0; i < n; i++)
        {
            var c = p.OffsetBy(2.5 * Math.Sqrt(rng.NextDouble()), 360 * rng.NextDouble());
            ra[i] = c.Ra; dec[i] = c.Dec;
        }
        return (ra, dec);
    }

    private static double AngleDiff(double a, double b) => Math.Abs(Angles.Wrap180(a - b));

    [Fact]
    public void Repointing_keeps_separation_and_position_angle_to_1e_6_degrees_in_double()
    {
        foreach (var (from, to) in Pairs)
        {
            var (ra, dec) = EventsAround(from);
            var table = new BinaryTable(ra.Length, [FitsColumn.Create("RA", (double[])ra.Clone()), FitsColumn.Create("DEC", (double[])dec.Clone())]);
            FovConverter.Repoint(table, from, to);
            var ra2 = table["RA"].Get<double>(); var dec2 = table["DEC"].Get<double>();
            for (int i = 0; i < ra.Length; i++)
            {
                Assert.InRange(ra2[i], 0.0, 359.99999999999);
                var before = new SkyCoord(ra[i], dec[i]); var after = new SkyCoord(ra2[i], dec2[i]);
                double r0 = from.SeparationTo(before), r1 = to.SeparationTo(after);
                Assert.True(Math.Abs(r0 - r1) < 1e-6, $"{from}->{to} event {i}: separation {r0} vs {r1}");
                if (r0 > 0.01)
                    Assert.True(AngleDiff(from.PositionAngleTo(before), to.PositionAngleTo(after)) < 1e-6,
                        $"{from}->{to} event {i}: position angle {from.PositionAngleTo(before)} vs {to.PositionAngleTo(after)}");
            }
        }
    }

    [Fact]
    public void Converted_files_keep_the_geometry_within_float_resolution_and_ra_in_0_360()
    {
        string dir = TestPaths.NewTempDir();
        foreach (var (from, to) in Pairs)
        {
            string bkg = new SyntheticRun(1001, from, 4000, 5).Write(Path.Combine(dir, "bkg.fits"));
            string tgt = new SyntheticRun(2002, to, 10, 6).Write(Path.Combine(dir, "target.fits"));
            string outFile = Path.Combine(dir, "out", "converted.fits");
            FovConverter.Convert(Run.FromFile(bkg), Run.FromFile(tgt), new ConvertOptions { OutputPath = outFile, Force = true });
            using var fin = FitsFile.Open(bkg); using var fout = FitsFile.Open(outFile);
            var a = fin.ReadTable("EVENTS"); var b = fout.ReadTable("EVENTS");
            var ra0 = a.Table["RA"].Get<float>(); var dec0 = a.Table["DEC"].Get<float>();
            var ra1 = b.Table["RA"].Get<float>(); var dec1 = b.Table["DEC"].Get<float>();
            // float32 resolution at RA ~ 360: 2^-15 deg ≈ 3.1e-5 deg; two roundings (input and output).
            const double tol = 7e-5;
            for (int i = 0; i < ra0.Length; i++)
            {
                Assert.True(ra1[i] >= 0f && ra1[i] < 360f, $"RA {ra1[i]}");
                var before = new SkyCoord(ra0[i], dec0[i]); var after = new SkyCoord(ra1[i], dec1[i]);
                double r0 = from.SeparationTo(before), r1 = to.SeparationTo(after);
                Assert.True(Math.Abs(r0 - r1) < tol, $"{from}->{to}: separation {r0} vs {r1}");
                if (r0 > 0.2)
                    Assert.True(AngleDiff(from.PositionAngleTo(before), to.PositionAngleTo(after)) < tol / r0 * Angles.RadToDeg,
                        $"{from}->{to}: position angle");
            }
        }
    }

    [SkippableFact]
    public void Agrees_with_astropy_SkyOffsetFrame_round_trip()
    {
        Oracles.Require(Oracle.Astropy);
        string dir = TestPaths.NewTempDir();
        var csv = new System.Text.StringBuilder("ra_from,dec_from,ra_to,dec_to,ra,dec,ra_ours,dec_ours\n");
        foreach (var (from, to) in Pairs)
        {
            var (ra, dec) = EventsAround(from, 500);
            var table = new BinaryTable(ra.Length, [FitsColumn.Create("RA", (double[])ra.Clone()), FitsColumn.Create("DEC", (double[])dec.Clone())]);
            FovConverter.Repoint(table, from, to);
            var ra2 = table["RA"].Get<double>(); var dec2 = table["DEC"].Get<double>();
            for (int i = 0; i < ra.Length; i++)
                csv.AppendLine(string.Join(",", new[] { from.Ra, from.Dec, to.Ra, to.Dec, ra[i], dec[i], ra2[i], dec2[i] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        string path = Path.Combine(dir, "repoint.csv");
        File.WriteAllText(path, csv.ToString());
        var (code, text) = Oracles.RunPython("repoint_skyoffset.py", path);
        output.WriteLine(text);
        Assert.True(code == 0, text);
    }

    public static TheoryData<string, string> RealPairs => new()
    {
        { HessA, HessB }, { HessA, MagicA }, { MagicA, HessB }, { MagicA, MagicB },
    };

    [Theory]
    [MemberData(nameof(RealPairs))]
    public void Real_files_keep_every_other_value_and_get_all_header_updates(string bkgPath, string targetPath)
    {
        string dir = TestPaths.NewTempDir();
        var bkg = Run.FromFile(bkgPath); var target = Run.FromFile(targetPath);
        byte[] hashBefore = SHA256.HashData(File.ReadAllBytes(bkgPath)), targetHash = SHA256.HashData(File.ReadAllBytes(targetPath));
        var result = FovConverter.Convert(bkg, target, new ConvertOptions { Destination = dir });
        Assert.Equal(Path.Combine(dir, Path.GetFileName(targetPath)), result.OutputPath);
        Assert.Equal(hashBefore, SHA256.HashData(File.ReadAllBytes(bkgPath)));
        Assert.Equal(targetHash, SHA256.HashData(File.ReadAllBytes(targetPath)));

        using var fin = FitsFile.Open(bkgPath); using var fout = FitsFile.Open(result.OutputPath);
        var inHdus = fin.ReadAll(); var outHdus = fout.ReadAll();
        Assert.Equal(inHdus.Count, outHdus.Count);
        for (int k = 0; k < inHdus.Count; k++)
        {
            Assert.Equal(inHdus[k].Name, outHdus[k].Name);
            if (outHdus[k].Header.Contains("OBS_ID")) Assert.Equal(target.ObsId, outHdus[k].Header.GetLong("OBS_ID"));
            if (inHdus[k] is not BinaryTableHdu ti) continue;
            var to = (BinaryTableHdu)outHdus[k];
            bool isEvents = HduClassifier.Classify(ti.Header)?.Type == "events";
            Assert.Equal(ti.Table.Columns.Select(c => c.Name + c.Format + c.Unit), to.Table.Columns.Select(c => c.Name + c.Format + c.Unit));
            foreach (var col in ti.Table.Columns)
            {
                if (isEvents && col.Name is "RA" or "DEC") continue;
                Assert.True(StructuralEquals(col.Data, to.Table[col.Name].Data), $"HDU {ti.Name} column {col.Name} changed");
            }
        }
        var ev = fout.ReadTable("EVENTS").Header;
        var orig = fin.ReadTable("EVENTS").Header;
        Assert.Equal(target.RaPnt, ev.GetDouble("RA_PNT")); Assert.Equal(target.DecPnt, ev.GetDouble("DEC_PNT"));
        Assert.Equal(bkg.RaPnt, ev.GetDouble("RA_ORG")); Assert.Equal(bkg.DecPnt, ev.GetDouble("DEC_ORG"));
        Assert.Equal(orig.GetDouble("RA_OBJ"), ev.GetDouble("RA_SRC")); Assert.Equal(orig.GetDouble("DEC_OBJ"), ev.GetDouble("DEC_SRC"));
        Assert.Equal(Angles.Wrap180(target.RaPnt - bkg.RaPnt), ev.GetDouble("RA_OFF")!.Value, 9);
        Assert.Equal(target.DecPnt - bkg.DecPnt, ev.GetDouble("DEC_OFF")!.Value, 9);
        Assert.Equal(target.Object, ev.GetString("OBJECT")); Assert.Equal(target.RaObj, ev.GetDouble("RA_OBJ"));
        Assert.Equal(orig.GetString("OBJECT"), ev.GetString("OBJ_ORG"));
        Assert.Equal(bkg.ObsId, ev.GetLong("OBS_ORG"));
        Assert.Contains(ev, c => c.Keyword == "HISTORY" && (c.Comment ?? c.Value as string ?? "").Contains("Convert-Fov"));
        if (orig.Contains("GLON_PNT"))
        {
            var g = new SkyCoord(target.RaPnt, target.DecPnt).ToGalactic();
            Assert.Equal(g.L, ev.GetDouble("GLON_PNT")!.Value, 9); Assert.Equal(g.B, ev.GetDouble("GLAT_PNT")!.Value, 9);
        }
        Assert.Empty(fout.VerifyChecksums(requireKeywords: true));
        var run = result.Run;
        Assert.Equal(target.ObsId, run.ObsId); Assert.Equal(target.RaPnt, run.RaPnt);
        Assert.Equal(bkg.BackgroundClass, run.BackgroundClass);
    }

    private static bool StructuralEquals(Array a, Array b)
    {
        if (a.GetType() != b.GetType() || a.Length != b.Length) return false;
        if (a is Array[] ja) return ja.Zip((Array[])b).All(p => StructuralEquals(p.First, p.Second));
        return System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(a, b);
    }

    [Fact]
    public void Synthetic_events_keep_xoff_yoff_and_every_hdu_gets_the_target_obs_id()
    {
        string dir = TestPaths.NewTempDir();
        string bkg = new SyntheticRun(1001, new(120, 50), 3000, 1).Write(Path.Combine(dir, "run_1001.fits"));
        var result = FovConverter.Convert(Run.FromFile(bkg), Run.FromFile(HessA), new ConvertOptions { Destination = Path.Combine(dir, "out") });
        using var fin = FitsFile.Open(bkg); using var fout = FitsFile.Open(result.OutputPath);
        Assert.Equal(fin.ReadTable("EVENTS").Table["Xoff"].Get<float>(), fout.ReadTable("EVENTS").Table["Xoff"].Get<float>());
        Assert.Equal(fin.ReadTable("EVENTS").Table["Yoff"].Get<float>(), fout.ReadTable("EVENTS").Table["Yoff"].Get<float>());
        Assert.All(fout.Hdus.Where(h => h.Header.Contains("OBS_ID")), h => Assert.Equal(23523, h.Header.GetLong("OBS_ID")));
        Assert.Equal(2, fout.Hdus.Count(h => h.Header.Contains("OBS_ID")));   // EVENTS and EFFECTIVE AREA
    }

    [Fact]
    public void Copy_background_takes_the_targets_model_of_any_class_replacing_the_runs_own()
    {
        string dir = TestPaths.NewTempDir();
        // MAGIC has no background; the H.E.S.S. target's bkg_3d is copied.
        var r1 = FovConverter.Convert(Run.FromFile(MagicA), Run.FromFile(HessB), new ConvertOptions { Destination = Path.Combine(dir, "a"), CopyBackground = true });
        Assert.Equal("bkg_3d", r1.Run.BackgroundClass);
        using (var fo = FitsFile.Open(r1.OutputPath)) using (var ft = FitsFile.Open(HessB))
        {
            var copied = (BinaryTableHdu)fo.ReadHdu(fo.Find(h => HduClassifier.Classify(h)?.Type == "bkg")!);
            var original = (BinaryTableHdu)ft.ReadHdu(ft.Find(h => HduClassifier.Classify(h)?.Type == "bkg")!);
            Assert.Equal(original.Table["BKG"].Get<float>(), copied.Table["BKG"].Get<float>());
        }
        // H.E.S.S. bkg_3d replaced by a synthetic VERITAS-like target's bkg_2d.
        string tgt = new SyntheticRun(777, new(184.467, 30.117), 100, 2) { WithBackground2D = true }.Write(Path.Combine(dir, "t777.fits"));
        var r2 = FovConverter.Convert(Run.FromFile(HessA), Run.FromFile(tgt), new ConvertOptions { Destination = Path.Combine(dir, "b"), CopyBackground = true });
        Assert.Equal("bkg_2d", r2.Run.BackgroundClass);
        Assert.Single(r2.Run.Hdus, h => h.HduType == "bkg");
        Assert.Equal(777, r2.Run.ObsId);
        // A target without a background model is a clear error.
        var e = Assert.Throws<FovConversionException>(() =>
            FovConverter.Convert(Run.FromFile(HessA), Run.FromFile(MagicB), new ConvertOptions { Destination = Path.Combine(dir, "c"), CopyBackground = true }));
        Assert.Contains("no background model", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "c", Path.GetFileName(MagicB))));
    }

    [Fact]
    public void Refuses_to_overwrite_without_force_and_never_writes_onto_an_input()
    {
        string dir = TestPaths.NewTempDir();
        var bkg = Run.FromFile(HessA); var target = Run.FromFile(MagicA);
        var options = new ConvertOptions { Destination = dir };
        var first = FovConverter.Convert(bkg, target, options);
        var e = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, options));
        Assert.Contains("exists", e.Message);
        FovConverter.Convert(bkg, target, new ConvertOptions { Destination = dir, Force = true });
        var e2 = Assert.Throws<FovConversionException>(() => FovConverter.Convert(bkg, target, new ConvertOptions { OutputPath = HessA, Force = true }));
        Assert.Contains("is an input file", e2.Message);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(dir, ".*", SearchOption.AllDirectories));
        Assert.True(File.Exists(first.OutputPath));
    }

    [SkippableFact]
    public void Fitsverify_is_clean_on_outputs()
    {
        Oracles.Require(Oracle.FitsVerify);
        string dir = TestPaths.NewTempDir();
        var outs = new List<string>
        {
            FovConverter.Convert(Run.FromFile(HessA), Run.FromFile(MagicA), new ConvertOptions { OutputPath = Path.Combine(dir, "h.fits") }).OutputPath,
            FovConverter.Convert(Run.FromFile(MagicA), Run.FromFile(HessB), new ConvertOptions { OutputPath = Path.Combine(dir, "m.fits"), CopyBackground = true }).OutputPath,
        };
        string bkg = new SyntheticRun(1001, new(120, 50), 3000, 1) { Source = new SkyCoord(120, 50.5), SourceEvents = 300 }.Write(Path.Combine(dir, "s.fits"));
        outs.Add(FovConverter.Convert(Run.FromFile(bkg), Run.FromFile(HessA), new ConvertOptions
        { OutputPath = Path.Combine(dir, "v.fits"), ScramblePoints = ["120 50.5"], ScrambleTheta = [0.2], Seed = 3 }).OutputPath);
        foreach (var f in outs)
        {
            var (errors, warnings, report) = Oracles.Verify(f);
            // Only the '-' in DATE-OBS style column/keyword names may warn (as for the inputs).
            Assert.True(errors == 0, report);
            var (_, wIn, _) = Oracles.Verify(f == outs[2] ? bkg : f == outs[0] ? HessA : MagicA);
            Assert.True(warnings <= wIn, report);
        }
    }

    [SkippableFact]
    public void Gammapy_opens_a_store_of_outputs_with_the_targets_pointing()
    {
        Oracles.Require(Oracle.Gammapy);
        string dir = TestPaths.NewTempDir();
        var outs = new[]
        {
            FovConverter.Convert(Run.FromFile(HessA), Run.FromFile(HessB), new ConvertOptions { Destination = dir }),
            FovConverter.Convert(Run.FromFile(HessB), Run.FromFile(MagicA), new ConvertOptions { Destination = dir }),
            FovConverter.Convert(Run.FromFile(MagicB), Run.FromFile(HessA), new ConvertOptions { Destination = dir, CopyBackground = true }),
        };
        DataStoreIndex.Write(dir, outs.Select(o => DataStoreIndex.Scan(o.OutputPath)).ToList(), overwrite: false);
        var args = outs.SelectMany(o => new[] { o.Run.ObsId.ToString(CultureInfo.InvariantCulture), o.To.Ra.ToString("R", CultureInfo.InvariantCulture), o.To.Dec.ToString("R", CultureInfo.InvariantCulture) }).ToArray();
        var (code, text) = Oracles.RunPython("mimic_pointing.py", [dir, .. args]);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        var (code2, text2) = Oracles.RunPython("load_datastore.py", dir);
        Assert.True(code2 == 0, text2);
    }

    [Fact]
    public void Runs_from_a_data_store_convert_and_the_outputs_index_as_a_new_store()
    {
        string root = GammapyTools.Tests.Dl3.DataStoreTests.BuildStore();
        var store = DataStore.Open(root);
        var target = store.GetRun(23526);
        string dest = TestPaths.NewTempDir();
        var results = store.ObsIds.Where(id => id != 23526).Select(id =>
            FovConverter.Convert(store.GetRun(id), target, new ConvertOptions { OutputPath = Path.Combine(dest, $"mimic_{id}.fits"), CopyBackground = true })).ToList();
        Assert.All(results, r => { Assert.Equal(23526, r.Run.ObsId); Assert.Equal("bkg_3d", r.Run.BackgroundClass); });
        Assert.Equal(store.ObsIds.Count - 1, results.Select(r => r.Run.Hdus.First(h => h.HduType == "events")).Count());
        Assert.Equal(results.Select(r => r.From), store.ObsIds.Where(id => id != 23526).Select(id => store.GetRun(id).Pointing));
    }
}
