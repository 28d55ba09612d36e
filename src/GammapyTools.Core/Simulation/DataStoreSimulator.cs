using System.Globalization;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Sky;

namespace GammapyTools.Simulation;

/// <summary>
/// Writes deterministic VERITAS-like DL3 data stores: runs spread over observing seasons
/// (September to June), fields, zenith, azimuth and NSB; background events from the radial camera
/// acceptance × a power-law spectrum, optional point sources; EVENTS (with Xoff/Yoff camera
/// coordinates turned by the time-dependent field rotation), GTI, EFFECTIVE AREA, ENERGY
/// DISPERSION and the true BACKGROUND (bkg_2d); then obs-index and hdu-index.
/// Each run is a pure function of (options, OBS_ID): the output does not depend on threads.
/// </summary>
public static class DataStoreSimulator
{
    /// <summary>MJDREF of VERITAS DL3 files (2001-01-01T00:00:00 UTC expressed in TT).</summary>
    public const int MjdRefI = 51910;
    public const double MjdRefF = 7.428703703703703e-4;
    private static readonly DateTime TimeZero = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private const double Deg = Math.PI / 180.0;

    /// <summary>Simulates <see cref="SimulationOptions.RunCount"/> runs into <paramref name="folder"/> and indexes them.</summary>
    public static IReadOnlyList<Run> Create(string folder, SimulationOptions options, IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        var plans = PlanRuns(options);
        var paths = plans.Select(p => Path.Combine(root, p.ObsId.ToString(CultureInfo.InvariantCulture) + (options.Compress ? ".fits.gz" : ".fits"))).ToArray();
        if (!options.Overwrite)
            foreach (var p in paths.Concat(DataStore.ObsIndexNames.Concat(DataStore.HduIndexNames).Select(n => Path.Combine(root, n))))
                if (File.Exists(p)) throw new FitsException("the file exists (use overwrite/-Force to replace it)", p);
        int done = 0;
        long events = 0;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? -1 };
        var scanned = new DataStoreIndex.ScannedFile[paths.Length];
        try
        {
            Parallel.For(0, plans.Count, parallel, i =>
            {
                var hdus = BuildRun(plans[i], options, out int n);
                FitsWriter.Write(paths[i], hdus, options.Overwrite);
                long total = Interlocked.Add(ref events, n);
                int d = Interlocked.Increment(ref done);
                progress?.Report(new SimulationProgress(d, plans.Count, total));
            });
            Parallel.For(0, paths.Length, parallel, i => scanned[i] = DataStoreIndex.Scan(paths[i]));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        DataStoreIndex.Write(root, scanned, options.Overwrite);
        return scanned.Select(s => Run.FromEventsHeader(s.EventsHeader, s.Path, s.Hdus.Select(h => h.Location).ToList(), root)).ToList();
    }

    // ------------------------------------------------------------------ planning

    /// <summary>
    /// The observing schedule: nights in the seasons (no July/August), consecutive runs within a
    /// night, each on a field that stays between 40° and 85° elevation, OBS_IDs increasing with time.
    /// Drawn from a stream of the master seed only.
    /// </summary>
    public static IReadOnlyList<RunPlan> PlanRuns(SimulationOptions options)
    {
        options.Validate();
        var fields = options.Fields ?? SimulationOptions.DefaultFields;
        var rng = SimulationRandom.ForRun(options.Seed, -1, 7);
        DateTime first = DateTime.SpecifyKind(options.FirstNight.Date, DateTimeKind.Utc);
        var nights = new List<DateTime>();
        for (var d = first; d < first.AddYears(options.Seasons); d = d.AddDays(1))
            if (d.Month is not (7 or 8)) nights.Add(d);
        var chosen = new int[options.RunCount];
        for (int i = 0; i < chosen.Length; i++) chosen[i] = rng.NextInt(nights.Count);
        Array.Sort(chosen);

        var plans = new List<RunPlan>(options.RunCount);
        long obsId = options.FirstObsId;
        int night = -1;
        DateTime clock = default;
        foreach (int pick in chosen)
        {
            if (pick > night || clock > nights[night].AddHours(12))
            {
                night = Math.Max(pick, night + (pick > night ? 0 : 1));
                clock = NightStart(nights, ref night, rng);
            }
            RunPlan? plan = null;
            for (int attempt = 0; plan is null; attempt++)
            {
                plan = TryPlan(options, fields, rng, clock, obsId);
                if (plan is null)
                {
                    clock = clock.AddMinutes(20);
                    if (clock > nights[night].AddHours(12.5)) { night++; clock = NightStart(nights, ref night, rng); }
                }
                if (attempt > 100_000) throw new InvalidOperationException("cannot schedule the runs: no field is observable");
            }
            plans.Add(plan);
            clock = plan.End.AddSeconds(60 + rng.NextInt(240));
            obsId += 1 + rng.NextInt(3);
        }
        return plans;
    }

    private static DateTime NightStart(List<DateTime> nights, ref int night, SimulationRandom rng)
    {
        if (night >= nights.Count)
        {
            // More runs than the seasons hold: continue a year later (still never in July/August).
            var last = nights[^1];
            for (var d = last.AddDays(1); nights.Count <= night; d = d.AddDays(1))
                if (d.Month is not (7 or 8)) nights.Add(d);
        }
        // Local dusk in Arizona is about 02:30-03:30 UTC; start within the first two hours of darkness.
        return nights[night].AddHours(27).AddSeconds(rng.NextInt(7200)) - TimeSpan.FromDays(1);
    }

    private static RunPlan? TryPlan(SimulationOptions options, IReadOnlyList<SimulationField> fields, SimulationRandom rng, DateTime start, long obsId)
    {
        double ontime = rng.NextDouble() < 0.85 ? 1800 : 1200;
        double startMjd = VeritasSite.ModifiedJulianDate(start), midMjd = startMjd + ontime / 2 / 86400, endMjd = startMjd + ontime / 86400;
        // Fields observable all run long, with a margin for the wobble offset.
        var ok = new List<SimulationField>();
        foreach (var f in fields)
        {
            double a0 = VeritasSite.Horizontal(f.Position.Ra, f.Position.Dec, startMjd).Alt;
            double a1 = VeritasSite.Horizontal(f.Position.Ra, f.Position.Dec, endMjd).Alt;
            double lo = VeritasSite.MinElevation + options.WobbleOffset, hi = VeritasSite.MaxElevationAllowed - options.WobbleOffset;
            if (Math.Min(a0, a1) >= lo && Math.Max(a0, a1) <= hi) ok.Add(f);
        }
        int wobble = rng.NextInt(4);
        int ntels = rng.NextDouble() < 0.88 ? 4 : 3;
        int missing = rng.NextInt(4) + 1;
        double deadc = Math.Round(rng.Uniform(0.86, 0.93), 4);
        double nsb = Math.Round(rng.Uniform(2, 10), 3);
        int fieldIndex = rng.NextInt(Math.Max(ok.Count, 1));
        if (ok.Count == 0) return null;
        var field = ok[fieldIndex];
        var pointing = field.Position.OffsetBy(options.WobbleOffset, 90.0 * wobble);
        var (alt, az, _) = VeritasSite.Horizontal(pointing.Ra, pointing.Dec, midMjd);
        return new RunPlan
        {
            ObsId = obsId,
            Field = field,
            Pointing = pointing,
            Start = start,
            Ontime = ontime,
            DeadTimeFraction = deadc,
            NsbLevel = nsb,
            NTels = ntels,
            TelList = string.Join(",", Enumerable.Range(1, 4).Where(t => ntels == 4 || t != missing).Select(t => "T" + t)),
            AltPnt = alt,
            AzPnt = az,
        };
    }

    // ------------------------------------------------------------------ one run

    /// <summary>
    /// Seconds since MJDREF of a UTC instant (the TIME axis of the files): elapsed SI seconds, so the
    /// leap seconds since 2001 count, as astropy and gammapy read MJDREF + TIME.
    /// </summary>
    public static double ToMetSeconds(DateTime utc) =>
        (utc - TimeZero).TotalSeconds + Fits.FitsTime.TaiMinusUtc(utc) - Fits.FitsTime.TaiMinusUtc(TimeZero);

    /// <summary>The true background rate (s-1) of a run.</summary>
    public static double BackgroundRateOf(RunPlan plan, SimulationOptions options) => options.BackgroundRate ?? options.EventsPerRun / 1620.0;

    /// <summary>
    /// The HDUs of one run (primary, EVENTS, GTI, EFFECTIVE AREA, ENERGY DISPERSION [, BACKGROUND]);
    /// <paramref name="eventCount"/> is the number of events. A pure function of (plan, options).
    /// </summary>
    public static IReadOnlyList<Hdu> BuildRun(RunPlan plan, SimulationOptions options, out int eventCount)
    {
        var rng = SimulationRandom.ForRun(options.Seed, plan.ObsId, 1);
        var pointing = plan.Pointing;
        double tstart = ToMetSeconds(plan.Start), tstop = tstart + plan.Ontime;
        double eth = InstrumentModel.EnergyThreshold(plan.Zenith);
        var bkgEnergy = InstrumentModel.EnergyDistribution(eth, options.BackgroundIndex);
        double rate = BackgroundRateOf(plan, options);

        // Expected counts: background, then each source in the field of view.
        var sources = new List<(SimulatedSource Source, double Mu, TabulatedDistribution Energy)>();
        foreach (var s in options.Sources)
        {
            double sep = pointing.SeparationTo(s.Position);
            if (sep >= InstrumentModel.MaxOffset + 3 * options.PsfSigma) continue;
            double mu = s.EventsPerHour * plan.Livetime / 3600.0 * Math.Max(InstrumentModel.Acceptance(sep), 0.0);
            if (mu > 0) sources.Add((s, mu, InstrumentModel.EnergyDistribution(eth, s.SpectralIndex)));
        }
        double muB = rate * plan.Livetime, muTotal = muB + sources.Sum(s => s.Mu);
        long drawn = rng.NextPoisson(muTotal);
        if (drawn > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(options), "too many events in one run");
        int n = (int)drawn;

        // Event times: ordered uniforms in [tstart, tstop) from normalised exponential spacings (O(n), no sort).
        var time = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) { sum += -Math.Log(rng.NextDoublePositive()); time[i] = sum; }
        double norm = plan.Ontime / (sum - Math.Log(rng.NextDoublePositive()));
        for (int i = 0; i < n; i++) time[i] = tstart + time[i] * norm;

        // Offset (deg), position angle (rad), energy (TeV); source events from a Gaussian PSF.
        var theta = new double[n];
        var pa = new double[n];
        var energy = new float[n];
        var keep = new bool[n];
        double[] cumulative = new double[sources.Count];
        double acc = muB;
        for (int k = 0; k < sources.Count; k++) { acc += sources[k].Mu; cumulative[k] = acc / muTotal; }
        double pBackground = muB / muTotal;
        var offsets = InstrumentModel.OffsetDistribution;
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            double which = sources.Count == 0 ? 0 : rng.NextDouble();
            if (which < pBackground)
            {
                theta[i] = offsets.Sample(rng.NextDouble());
                pa[i] = 2 * Math.PI * rng.NextDouble();
                energy[i] = (float)Math.Exp(bkgEnergy.Sample(rng.NextDouble()));
                keep[i] = true;
            }
            else
            {
                int k = 0;
                while (k < cumulative.Length - 1 && which >= cumulative[k]) k++;
                var src = sources[k];
                double r = options.PsfSigma * Math.Sqrt(-2 * Math.Log(rng.NextDoublePositive()));
                var pos = src.Source.Position.OffsetBy(r, 360.0 * rng.NextDouble());
                theta[i] = pointing.SeparationTo(pos);
                pa[i] = pointing.PositionAngleTo(pos) * Deg;
                energy[i] = (float)Math.Exp(src.Energy.Sample(rng.NextDouble()));
                keep[i] = theta[i] < InstrumentModel.MaxOffset;
            }
            if (keep[i]) kept++;
        }

        // Event ids: increasing with gaps, as after event selection.
        var eventId = new long[n];
        long id = 0;
        for (int i = 0; i < n; i++) { id += 1 + (long)(rng.NextUInt64() >> 60); eventId[i] = id; }

        if (kept < n) Compact(keep, kept, ref time, ref theta, ref pa, ref energy, ref eventId);
        n = kept;

        // Sky positions: exact spherical offsets from the pointing.
        var lon = new double[n];
        var lat = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = theta[i] * Deg;
            (double sp, double cp) = Math.SinCos(pa[i]);
            double st = Math.Sin(t), ct = Math.Cos(t);
            lat[i] = Math.Asin(st * cp) / Deg;
            lon[i] = Math.Atan2(st * sp, ct) / Deg;
        }
        var ra = new double[n];
        var dec = new double[n];
        OffsetFrame.FromSkyOffset(pointing, lon, lat, ra, dec);

        // Camera coordinates and horizontal coordinates: the pointing's alt/az and parallactic angle on a time grid.
        const int nodes = 257;
        var gAlt = new double[nodes];
        var gAz = new double[nodes];
        var gQ = new double[nodes];
        double startMjd = VeritasSite.ModifiedJulianDate(plan.Start);
        for (int j = 0; j < nodes; j++)
        {
            double mjd = startMjd + plan.Ontime * j / (nodes - 1) / 86400.0;
            (gAlt[j], gAz[j], gQ[j]) = VeritasSite.Horizontal(pointing.Ra, pointing.Dec, mjd);
            if (j > 0)
            {
                gAz[j] = Unwrap(gAz[j], gAz[j - 1]);
                gQ[j] = Unwrap(gQ[j], gQ[j - 1]);
            }
        }
        var fRa = new float[n]; var fDec = new float[n]; var fAlt = new float[n]; var fAz = new float[n];
        var xoff = new float[n]; var yoff = new float[n];
        double step = plan.Ontime / (nodes - 1);
        for (int i = 0; i < n; i++)
        {
            double x = (time[i] - tstart) / step;
            int j = Math.Clamp((int)x, 0, nodes - 2);
            double w = x - j;
            double alt = gAlt[j] + w * (gAlt[j + 1] - gAlt[j]);
            double az = gAz[j] + w * (gAz[j + 1] - gAz[j]);
            double q = (gQ[j] + w * (gQ[j + 1] - gQ[j])) * Deg;
            (double s, double c) = Math.SinCos(pa[i] - q);
            double xo = theta[i] * s, yo = theta[i] * c;
            xoff[i] = (float)xo;
            yoff[i] = (float)yo;
            fAlt[i] = (float)(alt + yo);
            fAz[i] = (float)VeritasSite.Mod360(az - xo / Math.Cos(alt * Deg));
            fRa[i] = (float)ra[i];
            fDec[i] = (float)dec[i];
        }
        eventCount = n;

        var events = BinaryTableHdu.Create("EVENTS", new BinaryTable(n,
        [
            FitsColumn.Create("EVENT_ID", eventId),
            FitsColumn.Create("TIME", time, unit: "s"),
            FitsColumn.Create("RA", fRa, unit: "deg"),
            FitsColumn.Create("DEC", fDec, unit: "deg"),
            FitsColumn.Create("ENERGY", energy, unit: "TeV"),
            FitsColumn.Create("ALT", fAlt, unit: "deg"),
            FitsColumn.Create("AZ", fAz, unit: "deg"),
            FitsColumn.Create("Xoff", xoff, unit: "deg"),
            FitsColumn.Create("Yoff", yoff, unit: "deg"),
        ]));
        var timeRef = TimeReference();
        SetEventsHeader(events.Header, plan, tstart, tstop, timeRef, options);

        var gti = new Gti([tstart], [tstop]).ToHdu(timeRef);
        var aeff = InstrumentModel.EffectiveAreaHdu(plan.Zenith);
        var edisp = InstrumentModel.EnergyDispersionHdu(plan.Zenith);
        var hdus = new List<Hdu> { ImageHdu.EmptyPrimary(), events, gti, aeff, edisp };
        if (options.IncludeBackground)
        {
            // Events are drawn per livetime (rate × LIVETIME); a GADF model is per observation time
            // (the GTI, dead time included), so the true model's rate is rate × DEADC.
            var bkg = InstrumentModel.TrueBackground(rate * plan.Livetime / plan.Ontime, bkgEnergy).ToHdu("BACKGROUND");
            bkg.Header.AddHistory("True background model of the simulation (GammapyTools.Simulation).");
            hdus.Add(bkg);
        }
        foreach (var h in hdus.Skip(2)) h.Header.Set("OBS_ID", plan.ObsId, "Run number");
        var primary = hdus[0].Header;
        primary.Set("TELESCOP", "VERITAS");
        primary.Set("CREATOR", "GammapyTools.Simulation");
        primary.Set("OBS_ID", plan.ObsId, "Run number");
        return hdus;
    }

    private static double Unwrap(double value, double previous)
    {
        while (value - previous > 180) value -= 360;
        while (value - previous < -180) value += 360;
        return value;
    }

    private static void Compact(bool[] keep, int kept, ref double[] time, ref double[] theta, ref double[] pa, ref float[] energy, ref long[] eventId)
    {
        var t = new double[kept]; var th = new double[kept]; var p = new double[kept]; var e = new float[kept]; var id = new long[kept];
        for (int i = 0, j = 0; i < keep.Length; i++)
        {
            if (!keep[i]) continue;
            t[j] = time[i]; th[j] = theta[i]; p[j] = pa[i]; e[j] = energy[i]; id[j] = eventId[i]; j++;
        }
        time = t; theta = th; pa = p; energy = e; eventId = id;
    }

    private static FitsHeader TimeReference()
    {
        var h = new FitsHeader();
        h.Set("MJDREFI", MjdRefI, "int part of reference MJD [days]");
        h.Set("MJDREFF", MjdRefF, "fractional part of reference MJD [days]");
        h.Set("TIMEUNIT", "s", "time unit is seconds since MET start");
        h.Set("TIMESYS", "TT", "time scale is Terrestrial Time");
        h.Set("TIMEREF", "LOCAL", "local time reference");
        return h;
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static void SetEventsHeader(FitsHeader h, RunPlan plan, double tstart, double tstop, FitsHeader timeRef, SimulationOptions options)
    {
        h.Set("HDUCLASS", "GADF", "Signal conformance with GADF");
        h.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        h.Set("HDUVERS", "0.2");
        h.Set("HDUCLAS1", "EVENTS");
        h.Set("OBS_ID", plan.ObsId, "Run number");
        h.Set("TELESCOP", "VERITAS");
        h.Set("INSTRUME", "VERITAS");
        h.Set("CREATOR", "GammapyTools.Simulation");
        foreach (var card in timeRef) h.Set(card.Keyword, card.Value, card.Comment);
        h.Set("TSTART", tstart, "[s] start of the run since MJDREF");
        h.Set("TSTOP", tstop, "[s] end of the run since MJDREF");
        h.Set("DATE-OBS", Iso(plan.Start), "start date and time of the run (UTC)");
        h.Set("DATE-AVG", Iso(plan.Mid), "average date and time of the run (UTC)");
        h.Set("DATE-END", Iso(plan.End), "end date and time of the run (UTC)");
        h.Set("ONTIME", plan.Ontime, "[s] time on target");
        h.Set("LIVETIME", plan.Livetime, "[s] livetime");
        h.Set("DEADC", plan.DeadTimeFraction, "livetime / ontime");
        h.Set("EQUINOX", 2000.0, "equinox of the celestial coordinates");
        h.Set("RADESYS", "ICRS", "celestial coordinate system");
        h.Set("RA_PNT", plan.Pointing.Ra, "[deg] pointing right ascension");
        h.Set("DEC_PNT", plan.Pointing.Dec, "[deg] pointing declination");
        h.Set("ALT_PNT", plan.AltPnt, "[deg] pointing elevation at mid-run");
        h.Set("AZ_PNT", plan.AzPnt, "[deg] pointing azimuth at mid-run");
        var gal = GalacticCoord.FromIcrs(plan.Pointing);
        h.Set("GLON_PNT", gal.L, "[deg] pointing Galactic longitude");
        h.Set("GLAT_PNT", gal.B, "[deg] pointing Galactic latitude");
        h.Set("OBJECT", plan.Field.Name, "observed object");
        h.Set("RA_OBJ", plan.Field.Position.Ra, "[deg] object right ascension");
        h.Set("DEC_OBJ", plan.Field.Position.Dec, "[deg] object declination");
        h.Set("NSBLEVEL", plan.NsbLevel, "night-sky background level");
        h.Set("N_TELS", plan.NTels, "number of telescopes in the run");
        h.Set("TELLIST", plan.TelList, "telescopes in the run");
        h.Set("GEOLON", VeritasSite.Longitude, "[deg] site longitude");
        h.Set("GEOLAT", VeritasSite.Latitude, "[deg] site latitude");
        h.Set("ALTITUDE", VeritasSite.Altitude, "[m] site altitude");
        h.Set("FOVALIGN", "RADEC", "background model alignment");
        h.AddHistory($"Simulated by GammapyTools.Simulation (seed {options.Seed}, OBS_ID {plan.ObsId}).");
    }
}
