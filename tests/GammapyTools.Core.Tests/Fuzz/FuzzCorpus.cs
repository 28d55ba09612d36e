using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fuzz;

public enum SeedKind { Run, HduIndex, ObsIndex }

/// <summary>A valid file the fuzzer mutates, with its header cards located once.</summary>
public sealed class SeedFile
{
    public SeedFile(string name, SeedKind kind, byte[] plain, bool valid = true)
    {
        Name = name;
        Kind = kind;
        Plain = plain;
        Cards = FitsMutator.Cards(plain);
        Valid = valid;
    }

    public string Name { get; }
    public SeedKind Kind { get; }
    public byte[] Plain { get; }
    public IReadOnlyList<CardRef> Cards { get; }
    /// <summary>False for the semantically invalid seeds (NaN coordinates, no events, ...): they must fail unmutated.</summary>
    public bool Valid { get; }
    public override string ToString() => Name;
}

/// <summary>
/// The fuzzer's seed files, built once per test process from real data (H.E.S.S. DR1 and MAGIC
/// files of tests/data, EVENTS cut to a few hundred rows so that a case costs milliseconds; the
/// complete H.E.S.S. file as well) and from a simulated data store (runs and both index files),
/// plus semantically invalid runs (issue 9: no events, NaN coordinates, GTI stop &lt; start,
/// missing ENERGY, LIVETIME = 0, text 'NaN' pointing, an empty background table).
/// </summary>
public sealed class FuzzCorpus
{
    private static readonly Lazy<FuzzCorpus> _instance = new(() => new FuzzCorpus());
    public static FuzzCorpus Instance => _instance.Value;

    public IReadOnlyList<SeedFile> Seeds { get; }
    /// <summary>A simulated store (runs, indexes) whose index files the index seeds replace.</summary>
    public string StoreFolder { get; }
    /// <summary>A good run with a bkg_2d model: the target of conversions of mutated runs.</summary>
    public string TargetPath { get; }
    /// <summary>A good run converted onto mutated targets (copy-background cases).</summary>
    public string BackgroundPath { get; }
    public byte[] HessSmall { get; }
    public byte[] MagicSmall { get; }
    public byte[] Simulated { get; }

    private FuzzCorpus()
    {
        string root = TestPaths.NewTempDir();
        StoreFolder = Path.Combine(root, "store");
        DataStoreSimulator.Create(StoreFolder, new SimulationOptions { RunCount = 3, EventsPerRun = 300, Seed = 11, Compress = false });
        var runs = Directory.GetFiles(StoreFolder, "*.fits").Where(p => !Path.GetFileName(p).Contains("index")).Order().ToList();
        TargetPath = runs[1];
        BackgroundPath = runs[2];
        Simulated = File.ReadAllBytes(runs[0]);

        byte[] hessFull = Decompressed(TestPaths.Data("hess-dl3-dr1", "data", "hess_dl3_dr1_obs_id_023523.fits.gz"));
        // EVENTS cut to 300 rows; the large IRFs (EDISP 370 KB, PSF, BKG_3D) dropped except in the full copy.
        HessSmall = FitsMutator.Rewrite(hessFull, (i, h) => h switch
        {
            BinaryTableHdu t when t.Name == "EVENTS" => FitsMutator.Head(t, 300),
            BinaryTableHdu t when t.Name is "EDISP" or "PSF" or "BKG" => null,
            _ => h,
        });
        MagicSmall = FitsMutator.Rewrite(File.ReadAllBytes(TestPaths.Data("magic-rad-max", "20131004_05029747_DL3_CrabNebula-W0.40+035.fits")),
            (i, h) => h is BinaryTableHdu { Name: "EVENTS" } t ? FitsMutator.Head(t, 300) : h);

        var seeds = new List<SeedFile>
        {
            new("hess-23523-small", SeedKind.Run, HessSmall),
            new("magic-5029747-small", SeedKind.Run, MagicSmall),
            new("simulated", SeedKind.Run, Simulated),
            new(FullHessSeed, SeedKind.Run, hessFull),
            new("simulated-hdu-index", SeedKind.HduIndex, Decompressed(Path.Combine(StoreFolder, IndexName(StoreFolder, DataStore.HduIndexNames)))),
            new("simulated-obs-index", SeedKind.ObsIndex, Decompressed(Path.Combine(StoreFolder, IndexName(StoreFolder, DataStore.ObsIndexNames)))),
        };
        foreach (var (name, bytes) in InvalidRuns()) seeds.Add(new SeedFile(name, SeedKind.Run, bytes, valid: false));
        seeds.Add(new SeedFile(EmptyBackgroundSeed, SeedKind.Run, EmptyBackground(), valid: false));
        Seeds = seeds;
    }

    private static string IndexName(string folder, string[] names) => names.First(n => File.Exists(Path.Combine(folder, n)));

    public static byte[] Decompressed(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B) return bytes;
        using var gz = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Runs that read as FITS but are not usable runs (issue 9, deliverable 4).</summary>
    public IEnumerable<(string Name, byte[] Bytes)> InvalidRuns()
    {
        yield return ("no-events", Events(HessSmall, t => FitsMutator.Head(t, 0)));
        yield return ("nan-ra-events", Events(Simulated, t => { SetNaN(t.Table["RA"].Data, 3); return t; }));
        yield return ("nan-dec-events", Events(MagicSmall, t => { SetNaN(t.Table["DEC"].Data, 1); return t; }));
        yield return ("no-energy-column", Events(HessSmall, t => Without(t, "ENERGY")));
        yield return ("no-time-column", Events(MagicSmall, t => Without(t, "TIME")));
        yield return ("gti-stop-before-start", FitsMutator.Rewrite(Simulated, (i, h) =>
        {
            if (h is BinaryTableHdu { Name: "GTI" } g)
            {
                var start = g.Table["START"].Get<double>();
                var stop = g.Table["STOP"].Get<double>();
                (start[0], stop[0]) = (stop[0], start[0]);
            }
            return h;
        }));
        yield return ("livetime-zero", FitsMutator.WithValue(Simulated, 1, "LIVETIME", "0.0"));
        yield return ("ontime-negative", FitsMutator.WithValue(HessSmall, 1, "ONTIME", "-1687.0"));
        yield return ("ra-pnt-text-nan", FitsMutator.WithValue(HessSmall, 1, "RA_PNT", "'NaN'"));
        yield return ("dec-pnt-91", FitsMutator.WithValue(MagicSmall, 1, "DEC_PNT", "91.0"));
    }

    public const string EmptyBackgroundSeed = "empty-background";
    public const string FullHessSeed = "hess-23523-full";

    /// <summary>The simulated run with its bkg_2d table emptied (0 rows): as a target it has nothing to copy.</summary>
    public byte[] EmptyBackground() => FitsMutator.Rewrite(Simulated, (i, h) =>
        h is BinaryTableHdu t && HduClassifier.Classify(t.Header)?.Type == "bkg" ? FitsMutator.Head(t, 0) : h);

    private static byte[] Events(byte[] fits, Func<BinaryTableHdu, BinaryTableHdu> edit) =>
        FitsMutator.Rewrite(fits, (i, h) => h is BinaryTableHdu t && HduClassifier.Classify(t.Header)?.Type == "events" ? edit(t) : h);

    private static void SetNaN(Array data, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int row = i * 7 % data.Length;
            if (data is float[] f) f[row] = float.NaN;
            else ((double[])data)[row] = double.NaN;
        }
    }

    private static BinaryTableHdu Without(BinaryTableHdu t, string column) =>
        new(t.Header.Clone(), new BinaryTable(t.Table.RowCount, t.Table.Columns.Where(c => c.Name != column)));
}
