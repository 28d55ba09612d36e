using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fuzz;

/// <summary>What one fuzz case did: its outcome ("success" or the exception type) and any broken rule.</summary>
public sealed record FuzzOutcome(long Case, string Description, string Outcome, string? Violation)
{
    /// <summary>What the case exercised (seed kind and operation), for the time split of the report.</summary>
    public string Area { get; init; } = "";
    public double Milliseconds { get; init; }
}

/// <summary>Counts of a fuzz run.</summary>
public sealed record FuzzReport(long Cases, TimeSpan Elapsed, IReadOnlyDictionary<string, long> Outcomes, IReadOnlyList<FuzzOutcome> Violations)
{
    /// <summary>Cases and total milliseconds by area ("run: convert", "index", ...).</summary>
    public IReadOnlyDictionary<string, (long Cases, double Milliseconds)> Areas { get; init; } = new Dictionary<string, (long, double)>();

    public override string ToString() =>
        $"{Cases} cases in {Elapsed.TotalSeconds:0.0} s ({Elapsed.TotalSeconds / Math.Max(Cases, 1) * 20000:0.0} s per 20,000): "
        + string.Join(", ", Outcomes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))
        + $"; {Violations.Count} violation(s)";
}

/// <summary>
/// The fuzzer (issue 9, deliverable 3): case i of seed s mutates one seed file in a way drawn from
/// Random(s, i) only — header values set to hostile numbers and TFORMs, cards deleted or
/// duplicated, bytes flipped, blocks zeroed, files truncated, gzip streams corrupted, plain and
/// gzip — writes it, and sends it through Run.FromFile, EventList.Read, the FoV converter (as the
/// background run, or as the target whose model is copied), the background builder, or (index
/// seeds) DataStore.Open + GetRun. Rules checked per case: only FitsException or
/// FovConversionException escape; the case ends within the time limit; the input file is unchanged;
/// a converted file re-reads with valid checksums and finite coordinates; an invalid seed never
/// converts.
/// </summary>
public static class FuzzEngine
{
    private static readonly string[] Numbers =
    [
        "9223372036854775807", "-9223372036854775808", "2147483648", "2147483647", "4294967296", "4294967295",
        "-1", "0", "1", "3", "1000000", "1.5", "1E400", "-1E400", "NaN", "'NaN'", "'abc'", "''", "T", "F", "(1.0, 2.0)",
    ];
    private static readonly string[] Tforms =
    [
        "'536870912D'", "'1C'", "'4A'", "'0QD(5)'", "'1QE'", "'1PE(3)'", "'0D'", "'0E'", "'2147483647E'", "'1Z'", "'D'",
        "'1PB'", "'100000X'", "'1M'", "'2E'", "'1K'", "'1J'", "'1I'", "'1B'", "'1L'", "'8A'", "'1QD(2147483648)'", "'99999999999999E'",
    ];
    private static readonly string[] Tdims = ["'(0)'", "'(2147483647,2)'", "'(a)'", "'(1,1,1)'", "'()'", "'(2,-3)'"];
    private static readonly HashSet<string> Structural = new(StringComparer.Ordinal)
    {
        "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "NAXIS3", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "XTENSION", "SIMPLE",
        "RA_PNT", "DEC_PNT", "LIVETIME", "ONTIME", "OBS_ID", "HDUCLAS1", "HDUCLAS2", "HDUCLAS4", "EXTNAME", "GROUPS", "EXTEND",
    };

    public static FuzzReport Run(long firstCase, long cases, int seed, TimeSpan perCase, int workers)
    {
        var corpus = FuzzCorpus.Instance;
        var counts = new ConcurrentDictionary<string, long>();
        var areas = new ConcurrentDictionary<string, (long, double)>();
        var violations = new ConcurrentBag<FuzzOutcome>();
        string root = TestPaths.NewTempDir();
        var inputsBefore = HashInputs(corpus);
        var clock = Stopwatch.StartNew();
        long next = firstCase - 1;
        // Cases run inline on their worker thread (a task per case costs more than a case under
        // load); a watchdog here sees each worker's current case and its start, and a case over
        // the limit is a hang: reported, and the run stops waiting for it.
        var current = new (long Case, long Started)[workers];
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var worker = new Worker(Path.Combine(root, $"w{w}"), corpus);
            long i;
            while ((i = Interlocked.Increment(ref next)) < firstCase + cases && violations.Count < 50)
            {
                Volatile.Write(ref current[w].Started, 0);
                current[w].Case = i;
                Volatile.Write(ref current[w].Started, Stopwatch.GetTimestamp());
                var outcome = worker.RunCase(i, seed);
                Volatile.Write(ref current[w].Started, 0);
                counts.AddOrUpdate(outcome.Outcome, 1, (_, n) => n + 1);
                areas.AddOrUpdate(outcome.Area, (1, outcome.Milliseconds), (_, a) => (a.Item1 + 1, a.Item2 + outcome.Milliseconds));
                if (outcome.Violation is not null) violations.Add(outcome);
            }
        }, 16 * 1024 * 1024) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        while (threads.Any(t => t.IsAlive))
        {
            Thread.Sleep(100);
            for (int w = 0; w < workers; w++)
            {
                long started = Volatile.Read(ref current[w].Started);
                if (started != 0 && Stopwatch.GetElapsedTime(started) > perCase)
                {
                    violations.Add(new FuzzOutcome(current[w].Case, $"case {current[w].Case} seed {seed}", "timeout", $"no result within {perCase.TotalSeconds} s"));
                    return new FuzzReport(counts.Values.Sum(), clock.Elapsed, new Dictionary<string, long>(counts), violations.OrderBy(v => v.Case).ToList());
                }
            }
        }
        if (!HashInputs(corpus).SequenceEqual(inputsBefore))
            violations.Add(new FuzzOutcome(-1, "shared inputs", "changed", "a shared input file (store, target, tests/data) changed"));
        return new FuzzReport(counts.Values.Sum(), clock.Elapsed, new Dictionary<string, long>(counts), violations.OrderBy(v => v.Case).ToList())
        {
            Areas = new Dictionary<string, (long, double)>(areas),
        };
    }

    private static List<string> HashInputs(FuzzCorpus corpus) =>
        Directory.GetFiles(corpus.StoreFolder).Order().Append(TestPaths.Data("hess-dl3-dr1", "data", "hess_dl3_dr1_obs_id_023523.fits.gz"))
            .Select(p => p + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))).ToList();

    /// <summary>One mutated file: bytes, whether gzip, and what was done (to reproduce by hand).</summary>
    public static (byte[] Bytes, bool Gzip, string Description) Mutate(SeedFile seed, Random rng)
    {
        var b = (byte[])seed.Plain.Clone();
        string what;
        int kind = rng.Next(100);
        if (!seed.Valid && rng.Next(4) == 0) { kind = -1; what = "unmutated"; }
        else if (kind < 35)
        {
            var pool = rng.Next(3) > 0 ? seed.Cards.Where(c => Structural.Contains(c.Keyword) || c.Keyword.StartsWith("TFORM", StringComparison.Ordinal)
                || c.Keyword.StartsWith("TDIM", StringComparison.Ordinal) || c.Keyword.StartsWith("TTYPE", StringComparison.Ordinal)).ToList() : [.. seed.Cards];
            var card = pool[rng.Next(pool.Count)];
            string value = card.Keyword.StartsWith("TFORM", StringComparison.Ordinal) && rng.Next(3) > 0 ? Tforms[rng.Next(Tforms.Length)]
                : card.Keyword.StartsWith("TDIM", StringComparison.Ordinal) && rng.Next(2) > 0 ? Tdims[rng.Next(Tdims.Length)]
                : card.Keyword.StartsWith("TTYPE", StringComparison.Ordinal) && rng.Next(2) > 0 ? $"'{new[] { "RA", "DEC", "ENERGY", "TIME", "BKG", "OBS_ID", "X" }[rng.Next(7)]}'"
                : rng.Next(5) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture)
                : Numbers[rng.Next(Numbers.Length)];
            FitsMutator.SetValue(b, card, value);
            what = $"HDU {card.Hdu} {card.Keyword} = {value}";
        }
        else if (kind < 45)
        {
            var card = seed.Cards[rng.Next(seed.Cards.Count)];
            bool end = rng.Next(4) == 0;
            System.Text.Encoding.ASCII.GetBytes((end ? "END" : "").PadRight(80)).CopyTo(b, card.Offset);
            what = $"HDU {card.Hdu} {card.Keyword} card {(end ? "replaced by END" : "blanked")}";
        }
        else if (kind < 52)
        {
            var from = seed.Cards[rng.Next(seed.Cards.Count)];
            var to = seed.Cards[rng.Next(seed.Cards.Count)];
            Array.Copy(seed.Plain, from.Offset, b, to.Offset, 80);
            what = $"card {from.Keyword} (HDU {from.Hdu}) copied over {to.Keyword} (HDU {to.Hdu})";
        }
        else if (kind < 75)
        {
            int flips = 1 + rng.Next(8);
            bool header = rng.Next(2) == 0;
            for (int k = 0; k < flips; k++)
            {
                int at = header ? seed.Cards[rng.Next(seed.Cards.Count)].Offset + rng.Next(80) : rng.Next(b.Length);
                b[at] ^= (byte)(1 << rng.Next(8));
            }
            what = $"{flips} bit flip(s) in the {(header ? "headers" : "file")}";
        }
        else if (kind < 85)
        {
            int length = rng.Next(3) == 0 ? rng.Next(b.Length / 2880 + 1) * 2880 : rng.Next(b.Length);
            Array.Resize(ref b, length);
            what = $"truncated to {length} bytes";
        }
        else if (kind < 90)
        {
            int start = rng.Next(b.Length), length = Math.Min(b.Length - start, 1 + rng.Next(2880));
            bool zero = rng.Next(2) == 0;
            if (zero) Array.Clear(b, start, length); else rng.NextBytes(b.AsSpan(start, length));
            what = $"{length} bytes from {start} {(zero ? "zeroed" : "randomised")}";
        }
        else
        {
            // gzip-level damage: the compressed stream itself is flipped or cut.
            var gz = FitsMutator.Gzip(b);
            if (rng.Next(2) == 0)
            {
                int at = 10 + rng.Next(Math.Max(1, gz.Length - 10));
                gz[Math.Min(at, gz.Length - 1)] ^= (byte)(1 << rng.Next(8));
                what = "gzip stream bit flip";
            }
            else
            {
                int length = rng.Next(gz.Length);
                Array.Resize(ref gz, length);
                what = $"gzip stream truncated to {length} bytes";
            }
            return (gz, true, what);
        }
        bool gzip = rng.Next(10) < 3;
        return (gzip ? FitsMutator.Gzip(b) : b, gzip, what + (gzip ? " (gzip)" : ""));
    }

    private sealed class Worker
    {
        private readonly string _dir;
        private readonly string _store;
        private readonly FuzzCorpus _corpus;
        private readonly Run _target;
        private readonly Run _background;
        private static readonly BackgroundModelOptions Coarse = new() { Binning = new BackgroundBinning(0.1, 100, 4, 0, 2.5, 4) };

        public Worker(string dir, FuzzCorpus corpus)
        {
            _dir = dir;
            _corpus = corpus;
            Directory.CreateDirectory(dir);
            // A private copy of the simulated store: index cases replace its index files.
            _store = Path.Combine(dir, "store");
            Directory.CreateDirectory(_store);
            foreach (var f in Directory.GetFiles(corpus.StoreFolder)) File.Copy(f, Path.Combine(_store, Path.GetFileName(f)));
            _target = GammapyTools.Dl3.Run.FromFile(corpus.TargetPath);
            _background = GammapyTools.Dl3.Run.FromFile(corpus.BackgroundPath);
        }

        public FuzzOutcome RunCase(long i, int seed)
        {
            var clock = Stopwatch.StartNew();
            var rng = new Random(CaseSeed(seed, i));
            var seedFile = _corpus.Seeds[PickSeed(rng)];
            var (bytes, gzip, what) = Mutate(seedFile, rng);
            int op = rng.Next(5);
            string description = $"case {i} seed {seed}: {seedFile.Name}, {what}, op {op}";
            string input = seedFile.Kind switch
            {
                SeedKind.Run => Path.Combine(_dir, gzip ? "run.fits.gz" : "run.fits"),
                SeedKind.HduIndex => Path.Combine(_store, gzip ? "hdu-index.fits.gz" : "hdu-index.fits"),
                _ => Path.Combine(_store, gzip ? "obs-index.fits.gz" : "obs-index.fits"),
            };
            PrepareStore(seedFile.Kind, input);
            File.WriteAllBytes(input, bytes);
            byte[] before = SHA256.HashData(bytes);

            string outcome = "success";
            string? violation = null;
            try { violation = Exercise(seedFile, input, op); }
            catch (FitsException e) when (e.InnerException is { } inner && e.Message.Contains("malformed content (", StringComparison.Ordinal))
            {
                // Typed, but caught by the guard rather than an explicit check: counted apart, with the site.
                outcome = $"{nameof(FitsException)} (guard: {inner.GetType().Name} at {Site(inner)})";
            }
            catch (FitsException) { outcome = nameof(FitsException); }
            catch (FovConversionException) { outcome = nameof(FovConversionException); }
            catch (Exception e)
            {
                outcome = e.GetType().Name;
                violation = $"untyped error {e.GetType().Name}: {e.Message}\n{e.StackTrace}";
            }
            string area = seedFile.Kind == SeedKind.Run ? $"run op {op}" : "index";
            if (!SHA256.HashData(File.ReadAllBytes(input)).AsSpan().SequenceEqual(before)) violation ??= "the input file changed";
            // An unmutated invalid seed must be refused where it is used: as the background run
            // (conversion, background model), or — the empty model — as the target to copy from.
            bool mustFail = !seedFile.Valid && what == "unmutated"
                && (seedFile.Name == FuzzCorpus.EmptyBackgroundSeed ? op == 2 : op is 1 or 3);
            if (mustFail && outcome == "success") violation ??= $"the invalid seed {seedFile.Name} passed op {op} without an error";
            return new FuzzOutcome(i, description, outcome, violation) { Area = area, Milliseconds = clock.Elapsed.TotalMilliseconds };
        }

        /// <summary>Valid small seeds in 3 cases of 4, the invalid runs in 1 of 4, the complete 950 KB H.E.S.S. file in 1 of 100.</summary>
        private int PickSeed(Random rng)
        {
            var seeds = _corpus.Seeds;
            int r = rng.Next(100);
            var pool = Enumerable.Range(0, seeds.Count).Where(k => r == 0 ? seeds[k].Name == FuzzCorpus.FullHessSeed
                : r < 25 ? !seeds[k].Valid : seeds[k].Valid && seeds[k].Name != FuzzCorpus.FullHessSeed).ToList();
            return pool[rng.Next(pool.Count)];
        }

        private void PrepareStore(SeedKind kind, string input)
        {
            // The store holds exactly one hdu-index and one obs-index: the mutated one, and the good
            // other one put back (an earlier case may have left a mutated one), so cases stay independent.
            if (kind == SeedKind.Run) return;
            foreach (var name in DataStore.HduIndexNames.Concat(DataStore.ObsIndexNames))
            {
                string p = Path.Combine(_store, name);
                File.Delete(p);
                bool mutatedKind = kind == SeedKind.HduIndex == name.StartsWith("hdu", StringComparison.Ordinal);
                string good = Path.Combine(_corpus.StoreFolder, name);
                if (!mutatedKind && File.Exists(good)) File.Copy(good, p);
            }
        }

        /// <summary>
        /// The seed of case i: SplitMix64 of (seed, i), the same in every process (HashCode.Combine is
        /// randomised per process, so it cannot be used to reproduce a case).
        /// </summary>
        public static int CaseSeed(int seed, long i)
        {
            ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)i);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }

        private static string Site(Exception e)
        {
            var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("GammapyTools", StringComparison.Ordinal) == true);
            var m = frame?.GetMethod();
            return m is null ? "?" : $"{m.DeclaringType?.Name}.{m.Name}";
        }

        /// <summary>The operations of one case; returns a broken rule or null.</summary>
        private string? Exercise(SeedFile seed, string input, int op)
        {
            if (seed.Kind != SeedKind.Run)
            {
                var store = DataStore.Open(_store);
                foreach (long id in store.ObsIds)
                {
                    var run = store.GetRun(id);
                    if (op == 0) EventList.Read(run);
                }
                return null;
            }
            var mutated = GammapyTools.Dl3.Run.FromFile(input);
            string output = Path.Combine(_dir, "out.fits");
            switch (op)
            {
                case 0:
                    EventList.Read(mutated);
                    return null;
                case 1:
                    FovConverter.Convert(mutated, _target, new ConvertOptions { OutputPath = output, Force = true, Seed = 1 });
                    return CheckOutput(output);
                case 2:
                    FovConverter.Convert(_background, mutated, new ConvertOptions { OutputPath = output, Force = true, CopyBackground = true, Seed = 1 });
                    return CheckOutput(output);
                case 3:
                    BackgroundModelBuilder.Build(mutated, [mutated], Coarse);
                    return null;
                default:
                    return null;   // loading alone
            }
        }

        private static string? CheckOutput(string output)
        {
            try
            {
                using (var f = FitsFile.Open(output))
                {
                    var problems = f.VerifyChecksums(requireKeywords: true);
                    if (problems.Count > 0) return "output checksums: " + string.Join("; ", problems);
                }
                EventList.Read(GammapyTools.Dl3.Run.FromFile(output));
                return null;
            }
            catch (FitsException e) { return "the output does not re-read: " + e.Message; }
        }
    }
}
