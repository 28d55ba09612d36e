using System.Runtime.CompilerServices;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// Makes a stacked ring-background sky map from runs, with gammapy 1.0's definitions (DESIGN.md §8):
/// per run, counts and predicted background on the full geometry and an offset-max safe mask;
/// stacked where each run is safe; the ring (<see cref="RingBackground"/>) and the top-hat
/// correlation with WStat significances (<see cref="ExcessMap"/>).
/// </summary>
public static class SkyMapMaker
{
    /// <summary>
    /// The sky map of <paramref name="runs"/>. A run that cannot be used (unreadable, no background
    /// model, point-like IRFs, no events or no background in the energy range, nothing on the map) is
    /// reported to <paramref name="onRunError"/> with a <see cref="SkyMapException"/> or
    /// <see cref="FitsException"/> and left out; the others go on.
    /// </summary>
    /// <exception cref="SkyMapException">No run could be used, or the target is not in the safe region.</exception>
    /// <exception cref="ArgumentException">The parameters are inconsistent (see <see cref="SkyMapParameters.Validate"/>).</exception>
    public static SkyMap Make(IReadOnlyList<Run> runs, SkyMapParameters parameters, Action<Run, Exception>? onRunError = null,
        IProgress<int>? runsDone = null, string? source = null, CancellationToken cancellationToken = default)
    {
        parameters.Validate();
        if (runs.Count == 0) throw new SkyMapException("no runs to map");
        var target = parameters.Position ?? TargetOf(runs);
        var geometry = new WcsGeometry(target, parameters.Width, parameters.BinSize);
        var pixels = PixelGrid.For(geometry);
        var energyEdges = parameters.EnergyEdges();

        // Each run on its own (in parallel, results kept per run so the stacking order, and so
        // every bit of the sums, does not depend on thread timing).
        var perRun = new RunImage?[runs.Count];
        int done = 0;
        Parallel.For(0, runs.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try { perRun[i] = RunImage.Make(runs[i], parameters, pixels, energyEdges, cancellationToken); }
            catch (Exception e) when (e is SkyMapException or FitsException or IOException or UnauthorizedAccessException)
            {
                lock (perRun) onRunError?.Invoke(runs[i], e);
            }
            runsDone?.Report(Interlocked.Increment(ref done));
        });
        cancellationToken.ThrowIfCancellationRequested();

        int n = geometry.PixelCount;
        var counts = new double[n];
        var background = new double[n];
        var safe = new bool[n];
        var used = new List<long>();
        for (int i = 0; i < runs.Count; i++)
        {
            if (perRun[i] is not { } r) continue;
            used.Add(runs[i].ObsId);
            for (int p = 0; p < n; p++)
            {
                if (!r.Safe[p]) continue;
                counts[p] += r.Counts[p];
                background[p] += r.Background[p];
                safe[p] = true;
            }
        }
        if (used.Count == 0) throw new SkyMapException($"none of the {runs.Count} run(s) could be used (see the errors above)");

        // The catalog's sources and stars that reach into the map join the user's regions.
        var regions = parameters.ExclusionRegions.ToList();
        if (parameters.CatalogExclusions is { } catalogs)
            foreach (var r in (catalogs with { UserRegions = [] }).ForField(target, parameters.Width / Math.Sqrt(2)))
                if (!regions.Contains(r)) regions.Add(r);
        parameters = parameters with { Position = target, ExclusionRegions = regions };
        var exclusion = ExclusionMask(geometry, target, parameters);
        var ring = RingBackground.Apply(geometry, counts, background, exclusion, safe, parameters);
        var excess = ExcessMap.Estimate(geometry, counts, background, ring, parameters);

        var at = geometry.PixelOf(target) ?? throw new SkyMapException($"the target {target} is outside the map");
        int t = geometry.Index(at.X, at.Y);
        if (!double.IsFinite(excess.Significance[t]))
            throw new SkyMapException($"the target {target} is not in the map's safe region (no run within offset_max = {parameters.OffsetMax}° of it, or no OFF counts around it)");
        var off = OffStatistics.Of(excess.Significance, exclusion, geometry);
        return new SkyMap
        {
            Parameters = parameters,
            Geometry = geometry,
            Target = target,
            ObsIds = used,
            Source = source,
            Counts = counts,
            Background = background,
            Exclusion = exclusion,
            Safe = ring.Safe,
            CountsOff = ring.CountsOff,
            AcceptanceOff = ring.AcceptanceOff,
            CountsOn = excess.CountsOn,
            Alpha = excess.Alpha,
            BackgroundOn = excess.BackgroundOn,
            Excess = excess.Excess,
            Significance = excess.Significance,
            SignificanceAtTarget = excess.Significance[t],
            CountsAtTarget = excess.CountsOn[t],
            BackgroundAtTarget = excess.BackgroundOn[t],
            ExcessAtTarget = excess.Excess[t],
            AlphaAtTarget = excess.Alpha[t],
            OffMean = off.Mean,
            OffWidth = off.Width,
            OffPixels = off.Count,
            OffFractionAbove3 = off.FractionAbove3,
            MaxOffSignificance = off.Max,
            MaxOffPosition = off.MaxPosition,
        };
    }

    /// <summary>The runs' object position (RA_OBJ/DEC_OBJ): a map needs one centre.</summary>
    private static SkyCoord TargetOf(IReadOnlyList<Run> runs)
    {
        foreach (var r in runs)
            if (r.RaObj is double ra && r.DecObj is double dec && double.IsFinite(ra) && double.IsFinite(dec)) return new SkyCoord(ra, dec);
        throw new SkyMapException("the runs have no object position (RA_OBJ/DEC_OBJ): give the map centre (-Position 'ra dec' or a source name)");
    }

    /// <summary>
    /// True outside every exclusion circle (the target's on_exclusion_region and the others), tested
    /// as gammapy's <c>region_mask</c> does: in pixel space, the radius converted by the pixel scale at
    /// the circle's centre (regions' <c>pixel_scale_angle_at_skycoord</c>, a 1″ step north).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool[] ExclusionMask(WcsGeometry geometry, SkyCoord target, SkyMapParameters parameters)
    {
        var mask = new bool[geometry.PixelCount];
        Array.Fill(mask, true);
        var circles = new List<(SkyCoord Center, double Radius)>();
        if (parameters.ExclusionRadius > 0) circles.Add((target, parameters.ExclusionRadius));
        foreach (var r in parameters.ExclusionRegions) circles.Add((r.Center, r.Radius));
        foreach (var (center, radius) in circles)
        {
            var (cx, cy) = geometry.WorldToPixel(center);
            if (double.IsNaN(cx)) continue;
            const double step = 1.0 / 3600;
            var (nx, ny) = geometry.WorldToPixel(center.Ra, center.Dec + step);
            double scale = Math.Sqrt((nx - cx) * (nx - cx) + (ny - cy) * (ny - cy)) / step;   // pixels per degree
            double r = radius * scale;
            for (int y = 0; y < geometry.NY; y++)
                for (int x = 0; x < geometry.NX; x++)
                {
                    double dx = x - cx, dy = y - cy;
                    if (Math.Sqrt(dx * dx + dy * dy) < r) mask[geometry.Index(x, y)] = false;
                }
        }
        return mask;
    }

    /// <summary>Pixel centres and solid angles of a geometry, computed once for all runs.</summary>
    internal sealed class PixelGrid
    {
        private static readonly object CacheLock = new();
        private static PixelGrid? _last;

        /// <summary>
        /// The grid of a geometry; the last one is kept, since a null test maps every dataset of a
        /// campaign on the same geometry (the solid angles alone cost ~8 trigonometric calls a pixel).
        /// </summary>
        public static PixelGrid For(WcsGeometry geometry)
        {
            lock (CacheLock)
            {
                if (_last is { } g && g.Geometry.Center == geometry.Center && g.Geometry.BinSize == geometry.BinSize && g.Geometry.NX == geometry.NX)
                    return g;
                return _last = new PixelGrid(geometry);
            }
        }

        private PixelGrid(WcsGeometry geometry)
        {
            Geometry = geometry;
            var centers = geometry.PixelCenters();
            SolidAngles = geometry.SolidAngles();
            int n = centers.Length;
            Ra = new double[n]; Dec = new double[n];
            _sinRa = new double[n]; _cosRa = new double[n]; _sinDec = new double[n]; _cosDec = new double[n];
            for (int i = 0; i < n; i++)
            {
                Ra[i] = centers[i].Ra; Dec[i] = centers[i].Dec;
                (_sinRa[i], _cosRa[i]) = Math.SinCos(Ra[i] * Angles.DegToRad);
                (_sinDec[i], _cosDec[i]) = Math.SinCos(Dec[i] * Angles.DegToRad);
            }
        }

        private readonly double[] _sinRa, _cosRa, _sinDec, _cosDec;

        public WcsGeometry Geometry { get; }
        public double[] Ra { get; }
        public double[] Dec { get; }
        public double[] SolidAngles { get; }

        /// <summary>
        /// Angular distance (degrees) of every pixel centre from <paramref name="p"/>: the Vincenty
        /// formula of <see cref="SphericalGeometry.Separation"/> (astropy's), from the pixels' cached sines.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Separations(SkyCoord p, Span<double> result)
        {
            (double sinRa0, double cosRa0) = Math.SinCos(p.Ra * Angles.DegToRad);
            (double sinLat1, double cosLat1) = Math.SinCos(p.Dec * Angles.DegToRad);
            for (int i = 0; i < result.Length; i++)
            {
                double sinDLon = _sinRa[i] * cosRa0 - _cosRa[i] * sinRa0;      // sin(ra − ra0)
                double cosDLon = _cosRa[i] * cosRa0 + _sinRa[i] * sinRa0;
                double num1 = _cosDec[i] * sinDLon;
                double num2 = cosLat1 * _sinDec[i] - sinLat1 * _cosDec[i] * cosDLon;
                double den = sinLat1 * _sinDec[i] + cosLat1 * _cosDec[i] * cosDLon;
                result[i] = Math.Atan2(Math.Sqrt(num1 * num1 + num2 * num2), den) * Angles.RadToDeg;
            }
        }
    }

    /// <summary>One run's counts, predicted background and safe mask on the map (energy-summed).</summary>
    private sealed record RunImage(double[] Counts, double[] Background, bool[] Safe)
    {
        public static RunImage Make(Run run, SkyMapParameters p, PixelGrid pixels, double[] energyEdges, CancellationToken ct)
        {
            var geometry = pixels.Geometry;
            if (run.FindHdu("rad_max") is not null)
                throw new SkyMapException("its IRFs are point-like (a RAD_MAX HDU): a ring-background map needs full-enclosure IRFs and a background model", run.ObsId, run.Path);
            var location = run.FindHdu("bkg")
                ?? throw new SkyMapException("it has no background model (no BACKGROUND/BKG HDU): add one with Invoke-MakeBackground (config campaign) or New-BackgroundModel | Add-Background", run.ObsId, run.Path);
            // Each file of the run opened once: a .fits.gz is decompressed on every open.
            var files = new Dictionary<string, FitsFile>(StringComparer.Ordinal);
            FitsFile Open(string path)
            {
                if (!files.TryGetValue(path, out var f)) files[path] = f = FitsFile.Open(path);
                return f;
            }
            try
            {
                var rate = FitsException.Guard(location.FilePath, () => ReadRate(run, Open(location.FilePath), location));
                string gtiPath = run.FindHdu("gti")?.FilePath ?? run.Path;
                double? observationTime = FitsException.Guard(gtiPath, () => Gti.ObservationTime(run, Open(gtiPath)));
                if (observationTime is not double time || !(time > 0))
                    throw new SkyMapException("it has neither GTIs nor ONTIME: its observation time is unknown", run.ObsId, run.Path);
                var eventsAt = EventList.Location(run);
                return Make(run, p, pixels, energyEdges, rate, time,
                    () => FitsException.Guard(eventsAt.FilePath, () => EventList.Read(Open(eventsAt.FilePath), eventsAt, ["RA", "DEC", "ENERGY"])), ct);
            }
            finally
            {
                foreach (var f in files.Values) f.Dispose();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static RunImage Make(Run run, SkyMapParameters p, PixelGrid pixels, double[] energyEdges, BackgroundRate rate, double time,
            Func<EventList> readEvents, CancellationToken ct)
        {
            var geometry = pixels.Geometry;
            int n = geometry.PixelCount;
            var pointing = run.Pointing;
            var safe = new bool[n];
            var offsets = new double[n];
            int safeCount = 0;
            pixels.Separations(pointing, offsets);
            for (int i = 0; i < n; i++)
                if (offsets[i] < p.OffsetMax) { safe[i] = true; safeCount++; }
            if (safeCount == 0)
                throw new SkyMapException($"it points {SphericalGeometry.Separation(pointing, geometry.Center):0.##}° from the map centre: none of its field of view (offset_max {p.OffsetMax}°) is on the map", run.ObsId, run.Path);

            var integrator = rate.ForEnergyEdges(energyEdges);
            // Only the run's safe pixels: the stacking ignores the rest.
            var safeIndex = new int[safeCount];
            for (int i = 0, j = 0; i < n; i++) if (safe[i]) safeIndex[j++] = i;
            var perSr = new double[safeCount];
            if (rate.HasOffsetAxis)
            {
                var offset = new double[safeCount];
                for (int j = 0; j < safeCount; j++) offset[j] = offsets[safeIndex[j]];
                integrator.IntegrateMany(offset, offset, perSr);
            }
            else
            {
                // bkg_3d (RADEC): FoV coordinates as astropy's SkyOffsetFrame, one rotation for all pixels.
                var ra = new double[safeCount]; var dec = new double[safeCount];
                for (int j = 0; j < safeCount; j++) { ra[j] = pixels.Ra[safeIndex[j]]; dec[j] = pixels.Dec[safeIndex[j]]; }
                var lon = new double[safeCount]; var lat = new double[safeCount];
                OffsetFrame.SkyOffset(pointing, ra, dec, lon, lat);
                integrator.IntegrateMany(lon, lat, perSr);
            }
            var background = new double[n];
            double total = 0;
            for (int j = 0; j < safeCount; j++)
            {
                int i = safeIndex[j];
                background[i] = perSr[j] * pixels.SolidAngles[i] * time;
                total += background[i];
            }
            if (!(total > 0))
                throw new SkyMapException($"its background model predicts nothing between {p.EnergyMin} and {p.EnergyMax} TeV (model range {rate.EnergyMin:0.###}–{rate.EnergyMax:0.###} TeV)", run.ObsId, run.Path);
            ct.ThrowIfCancellationRequested();

            var events = readEvents();
            var eventRa = events.Column("RA");
            var eventDec = events.Column("DEC");
            var energy = events.Column("ENERGY");
            var counts = new double[n];
            int inRange = 0;
            for (int i = 0; i < eventRa.Length; i++)
            {
                // gammapy's energy bins are [lo, hi): the range is [e_min, e_max).
                if (!(energy[i] >= energyEdges[0] && energy[i] < energyEdges[^1])) continue;
                var (x, y) = geometry.WorldToPixel(eventRa[i], eventDec[i]);
                if (double.IsNaN(x)) continue;
                int ix = (int)Math.Floor(x + 0.5), iy = (int)Math.Floor(y + 0.5);
                if (ix < 0 || ix >= geometry.NX || iy < 0 || iy >= geometry.NY) continue;
                int pix = geometry.Index(ix, iy);
                counts[pix] += 1;
                if (safe[pix]) inRange++;
            }
            if (inRange == 0)
                throw new SkyMapException($"it has no events between {p.EnergyMin} and {p.EnergyMax} TeV within offset_max {p.OffsetMax}° on the map", run.ObsId, run.Path);
            return new RunImage(counts, background, safe);
        }

        private static BackgroundRate ReadRate(Run run, FitsFile file, HduLocation location)
        {
            var info = HduClassifier.Find(file, location);
            var table = file.ReadTable(info);
            string cls = HduClassifier.Classify(info.Header)?.Class ?? location.HduClass;
            switch (cls)
            {
                case "bkg_2d": return BackgroundRate.From(Background2D.FromHdu(table, location.FilePath));
                case "bkg_3d":
                    string align = (info.Header.GetString("FOVALIGN") ?? "RADEC").Trim().ToUpperInvariant();
                    if (align != "RADEC")
                        throw new SkyMapException($"its bkg_3d model is aligned {align} (FOVALIGN): only RADEC-aligned bkg_3d models (and bkg_2d) are supported by sky maps", run.ObsId, run.Path);
                    return BackgroundRate.From(Background3D.FromHdu(table, location.FilePath));
                default:
                    throw new SkyMapException($"its background HDU {location.HduName} is {cls}, not bkg_2d or bkg_3d", run.ObsId, run.Path);
            }
        }
    }
}
