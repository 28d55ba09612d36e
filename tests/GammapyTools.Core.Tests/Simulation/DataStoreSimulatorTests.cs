using System.Diagnostics;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Simulation;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Simulation;

public class DataStoreSimulatorTests(ITestOutputHelper output)
{
    private static SimulationOptions Small(long seed = 1, int runs = 6, double events = 2000, int? threads = null) => new()
    {
        RunCount = runs, Seed = seed, EventsPerRun = events, MaxDegreeOfParallelism = threads,
        Sources = [new SimulatedSource(new SkyCoord(166.114, 38.209), 2000)],
    };

    private static byte[][] Bytes(string dir) =>
        Directory.GetFiles(dir, "*.fits*").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

    [Fact]
    public void SameSeedGivesByteIdenticalFilesWhateverTheThreadCount()
    {
        string a = TestPaths.NewTempDir(), b = TestPaths.NewTempDir(), c = TestPaths.NewTempDir();
        var runsA = DataStoreSimulator.Create(a, Small(threads: 1));
        DataStoreSimulator.Create(b, Small(threads: 4));
        DataStoreSimulator.Create(c, Small(seed: 2));
        Assert.Equal(6, runsA.Count);
        var ba = Bytes(a); var bb = Bytes(b); var bc = Bytes(c);
        Assert.Equal(8, ba.Length); // 6 runs + 2 index files
        Assert.Equal(ba.Length, bb.Length);
        for (int i = 0; i < ba.Length; i++) Assert.True(ba[i].AsSpan().SequenceEqual(bb[i]), $"file {i} differs between 1 and 4 threads");
        Assert.False(ba.Zip(bc).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "seed 2 gave the same files as seed 1");
    }

    [Fact]
    public void RunEventsDependOnlyOnSeedAndObsId()
    {
        var options = Small();
        var plans = DataStoreSimulator.PlanRuns(options);
        var forward = plans.Select(p => Events(p, options)).ToList();
        var backward = plans.Reverse().Select(p => Events(p, options)).Reverse().ToList();
        for (int i = 0; i < plans.Count; i++) Assert.Equal(forward[i], backward[i]);
    }

    private static double[] Events(RunPlan plan, SimulationOptions options) =>
        ((BinaryTableHdu)DataStoreSimulator.BuildRun(plan, options, out _)[1]).Table["RA"].ToDoubles();

    [Fact]
    public void ScheduleIsVeritasLike()
    {
        var options = new SimulationOptions { RunCount = 400, Seed = 3 };
        var plans = DataStoreSimulator.PlanRuns(options);
        Assert.Equal(400, plans.Count);
        Assert.DoesNotContain(plans, p => p.Start.Month is 7 or 8 || p.End.Month is 7 or 8);
        Assert.True(plans.Select(p => p.Start.Year).Distinct().Count() >= 3, "runs should spread over several years");
        Assert.All(plans, p =>
        {
            Assert.InRange(p.AltPnt, 40, 85);
            Assert.InRange(p.AzPnt, 0, 360);
            Assert.InRange(p.NsbLevel, 2, 10);
            Assert.Contains(p.NTels, new[] { 3, 4 });
            Assert.InRange(p.Ontime, 1200, 1800);
            Assert.InRange(p.Livetime / p.Ontime, 0.85, 0.94);
            Assert.InRange(Math.Abs(GalacticCoord.FromIcrs(p.Pointing).B), 10, 90);
            Assert.Equal(0.5, p.Pointing.SeparationTo(p.Field.Position), 6);
        });
        for (int i = 1; i < plans.Count; i++)
        {
            Assert.True(plans[i].ObsId > plans[i - 1].ObsId);
            Assert.True(plans[i].Start >= plans[i - 1].End, "runs must not overlap");
        }
        Assert.Equal(64080, plans[0].ObsId);
        Assert.True(plans.Select(p => p.Field.Name).Distinct().Count() >= 5);
        Assert.True(plans.Max(p => p.AzPnt) - plans.Min(p => p.AzPnt) > 180);
    }

    [Fact]
    public void CameraCoordinatesMatchSkyOffsetsAndRotateWithTime()
    {
        var options = Small(runs: 3, events: 20000);
        foreach (var plan in DataStoreSimulator.PlanRuns(options))
        {
            var ev = (BinaryTableHdu)DataStoreSimulator.BuildRun(plan, options, out int n)[1];
            var t = ev.Table;
            double[] ra = t["RA"].ToDoubles(), dec = t["DEC"].ToDoubles(), x = t["Xoff"].ToDoubles(), y = t["Yoff"].ToDoubles(), time = t["TIME"].ToDoubles();
            double worst = 0;
            var rotation = new double[n];
            for (int i = 0; i < n; i++)
            {
                var c = new SkyCoord(ra[i], dec[i]);
                double sep = plan.Pointing.SeparationTo(c);
                worst = Math.Max(worst, Math.Abs(Math.Sqrt(x[i] * x[i] + y[i] * y[i]) - sep));
                Assert.InRange(sep, 0, InstrumentModel.MaxOffset);
                // camera angle minus sky position angle = minus the field rotation
                rotation[i] = Math.IEEERemainder(plan.Pointing.PositionAngleTo(c) - Math.Atan2(x[i], y[i]) * 180 / Math.PI, 360);
            }
            output.WriteLine($"run {plan.ObsId}: {n} events, worst |r - sep| = {worst:E2} deg");
            Assert.True(worst < 1e-3, $"|(Xoff,Yoff)| differs from the angular distance by {worst}");
            Assert.True(time.Zip(time.Skip(1)).All(p => p.First <= p.Second), "TIME must be sorted");
            // The rotation is smooth in time and changes over the run (events above 0.3 deg for a stable angle).
            var good = Enumerable.Range(0, n).Where(i => x[i] * x[i] + y[i] * y[i] > 0.09).ToList();
            double first = Mean(good.Take(200).Select(i => rotation[i])), last = Mean(good.TakeLast(200).Select(i => rotation[i]));
            output.WriteLine($"  field rotation {first:F2} -> {last:F2} deg");
            Assert.True(Math.Abs(Math.IEEERemainder(last - first, 360)) > 0.5, "field rotation should change during a run");
        }
    }

    private static double Mean(IEnumerable<double> v) => v.Average();

    [Fact]
    public void HistogramAgreesWithTrueBackgroundModel()
    {
        var options = new SimulationOptions { RunCount = 1, Seed = 11, EventsPerRun = 2_000_000 };
        var plan = DataStoreSimulator.PlanRuns(options)[0];
        var hdus = DataStoreSimulator.BuildRun(plan, options, out int n);
        var t = ((BinaryTableHdu)hdus[1]).Table;
        var bkg = Background2D.FromHdu((BinaryTableHdu)hdus.Single(h => h.Name == "BACKGROUND"));
        double[] energy = t["ENERGY"].ToDoubles(), x = t["Xoff"].ToDoubles(), y = t["Yoff"].ToDoubles();
        var counts = new long[bkg.EnergyBins, bkg.OffsetBins];
        for (int i = 0; i < n; i++)
        {
            int e = Bin(bkg.EnergyEdges, energy[i]), o = Bin(bkg.OffsetEdges, Math.Sqrt(x[i] * x[i] + y[i] * y[i]));
            if (e >= 0 && o >= 0) counts[e, o]++;
        }
        double chi2 = 0, expectedTotal = 0; int ndf = 0;
        for (int e = 0; e < bkg.EnergyBins; e++)
            for (int o = 0; o < bkg.OffsetBins; o++)
            {
                double omega = 2 * Math.PI * (Math.Cos(bkg.OffsetEdges[o] * Math.PI / 180) - Math.Cos(bkg.OffsetEdges[o + 1] * Math.PI / 180));
                double mu = bkg.Data[e, o] * plan.Ontime * omega * (bkg.EnergyEdges[e + 1] - bkg.EnergyEdges[e]) * 1e6;
                expectedTotal += mu;
                if (mu < 10) { Assert.True(counts[e, o] < 40, $"bin {e},{o}: {counts[e, o]} events where {mu} expected"); continue; }
                chi2 += (counts[e, o] - mu) * (counts[e, o] - mu) / mu;
                ndf++;
            }
        output.WriteLine($"{n} events, expected {expectedTotal:F0}; chi2/ndf = {chi2:F1}/{ndf} = {chi2 / ndf:F3}");
        Assert.True(ndf > 100);
        Assert.True(chi2 / ndf < 1.5, $"chi2/ndf = {chi2 / ndf}");
        Assert.InRange(n, expectedTotal - 5 * Math.Sqrt(expectedTotal), expectedTotal + 5 * Math.Sqrt(expectedTotal));
    }

    private static int Bin(double[] edges, double v)
    {
        if (v < edges[0] || v >= edges[^1]) return -1;
        int i = Array.BinarySearch(edges, v);
        return i >= 0 ? i : ~i - 1;
    }

    [Fact]
    public void PointSourceAppearsAtItsPosition()
    {
        var source = new SkyCoord(166.114, 38.209);
        var options = new SimulationOptions { RunCount = 1, Seed = 5, EventsPerRun = 1000, Fields = [new SimulationField("Mrk 421", source)], Sources = [new SimulatedSource(source, 20000)] };
        var plan = DataStoreSimulator.PlanRuns(options)[0];
        var t = ((BinaryTableHdu)DataStoreSimulator.BuildRun(plan, options, out int n)[1]).Table;
        double[] ra = t["RA"].ToDoubles(), dec = t["DEC"].ToDoubles();
        int near = Enumerable.Range(0, n).Count(i => source.SeparationTo(new SkyCoord(ra[i], dec[i])) < 0.2);
        output.WriteLine($"{near} of {n} events within 0.2 deg of the source");
        Assert.True(near > 0.7 * (n - 1000 * plan.Livetime / 1620), "most source events lie near the source");
    }

    [Fact]
    public void WrittenStoreOpensAndHasTheDesignKeys()
    {
        string dir = TestPaths.NewTempDir();
        var runs = DataStoreSimulator.Create(dir, Small(runs: 3));
        var store = DataStore.Open(dir);
        Assert.Equal(runs.Select(r => r.ObsId), store.ObsIds);
        foreach (var run in runs)
        {
            Assert.Equal(run.ObsId + ".fits.gz", Path.GetFileName(run.Path));
            foreach (var type in new[] { "events", "gti", "aeff", "edisp", "bkg" }) Assert.NotNull(run.FindHdu(type));
            Assert.Equal("bkg_2d", run.BackgroundClass);
            using var f = FitsFile.Open(run.Path);
            var h = HduClassifier.Find(f, run.FindHdu("events")!).Header;
            foreach (var key in "OBS_ID RA_PNT DEC_PNT ALT_PNT AZ_PNT RA_OBJ DEC_OBJ OBJECT NSBLEVEL N_TELS LIVETIME ONTIME DEADC DATE-OBS DATE-AVG DATE-END TSTART TSTOP MJDREFI MJDREFF TIMESYS TIMEUNIT TIMEREF EQUINOX RADESYS HDUCLASS HDUCLAS1 HDUDOC HDUVERS GLON_PNT GLAT_PNT TELLIST".Split(' '))
                Assert.True(h.Contains(key), $"EVENTS header lacks {key}");
            var ev = EventList.Read(run);
            Assert.Equal(["EVENT_ID", "TIME", "RA", "DEC", "ENERGY", "ALT", "AZ", "Xoff", "Yoff"], ev.Table.Columns.Select(c => c.Name));
            Assert.Equal("K", ev.Table["EVENT_ID"].Format.ToString()[^1..]);
            Assert.InRange(run.Livetime!.Value, 0.85 * run.Ontime!.Value, 0.94 * run.Ontime!.Value);
        }
    }

    [Fact]
    public void NoBackgroundAndUncompressedOptions()
    {
        string dir = TestPaths.NewTempDir();
        var options = Small(runs: 2);
        options.IncludeBackground = false; options.Compress = false;
        var runs = DataStoreSimulator.Create(dir, options);
        Assert.All(runs, r => { Assert.EndsWith(".fits", r.Path); Assert.Null(r.FindHdu("bkg")); });
        Assert.Throws<FitsException>(() => DataStoreSimulator.Create(dir, options));
        options.Overwrite = true;
        DataStoreSimulator.Create(dir, options);
    }

    [SkippableFact]
    public void FitsVerifyAcceptsASimulatedFile()
    {
        Oracles.Require(Oracle.FitsVerify);
        string dir = TestPaths.NewTempDir();
        var options = Small(runs: 1); options.Compress = false;
        var run = DataStoreSimulator.Create(dir, options)[0];
        // The obs-index is left out: its VERITAS column names DATE-OBS/DATE-AVG/DATE-END (DESIGN.md §4)
        // draw fitsverify's "character '-' in column name" warning; that is the index writer's concern.
        foreach (var file in new[] { run.Path, Path.Combine(dir, "hdu-index.fits.gz") })
        {
            var (errors, warnings, report) = Oracles.Verify(file);
            if (errors != 0 || warnings != 0) output.WriteLine(report);
            Assert.Equal((0, 0), (errors, warnings));
        }
    }

    [SkippableFact]
    public void GammapyReadsTheSimulatedStore()
    {
        Oracles.Require(Oracle.Gammapy);
        string dir = TestPaths.NewTempDir();
        DataStoreSimulator.Create(dir, Small(runs: 4));
        var (code, text) = Oracles.RunPython("check_simulated_store.py", dir);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("OK 4", text);
    }

    [Fact]
    public void SimulationSpeed()
    {
        var options = new SimulationOptions { RunCount = 8, Seed = 1, EventsPerRun = 250_000 };
        string dir = TestPaths.NewTempDir();
        DataStoreSimulator.Create(TestPaths.NewTempDir(), new SimulationOptions { RunCount = 2, EventsPerRun = 1000 }); // warm-up
        var plans = DataStoreSimulator.PlanRuns(options);
        var sw = Stopwatch.StartNew();
        long built = 0;
        Parallel.ForEach(plans, p => { DataStoreSimulator.BuildRun(p, options, out int n); Interlocked.Add(ref built, n); });
        double buildRate = built / sw.Elapsed.TotalSeconds;
        sw.Restart();
        var runs = DataStoreSimulator.Create(dir, options);
        double writeRate = built / sw.Elapsed.TotalSeconds;
        output.WriteLine($"{built} events: generation {buildRate / 1e6:F2} M events/s; generation + gzip FITS + index {writeRate / 1e6:F2} M events/s ({Environment.ProcessorCount} cores)");
        Assert.Equal(8, runs.Count);
    }
}
