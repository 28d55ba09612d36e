using GammapyTools.Fits;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>
/// Scrambling of DESIGN.md §5: removes known sources from a run's events while keeping the
/// camera's radial acceptance. Works in the run's own frame (before any re-pointing).
/// </summary>
public static class Scrambler
{
    /// <summary>Columns the scrambler changes: RA, DEC and, where present, the camera offsets.</summary>
    public const string XoffColumn = "XOFF", YoffColumn = "YOFF";
    /// <summary>Horizontal coordinates of the events (VERITAS), recomputed for moved events when a <see cref="HorizontalFrame"/> is given.</summary>
    public const string AltColumn = "ALT", AzColumn = "AZ";

    /// <summary>
    /// Annulus events per random stream. Fixed (not derived from the number of threads), so the
    /// result is the same on 1 core or 64: block b of source k always draws from stream (k, b).
    /// </summary>
    public const int EventsPerStream = 16_384;

    /// <summary>
    /// For each source S with radius θ: the annulus is every event with |r − d| &lt; θ
    /// (r = event offset from <paramref name="pointing"/>, d = offset of S). Those events get a
    /// position angle uniform in [0, 360°) and an offset drawn by inverse CDF from the radial profile
    /// of the annulus events outside the source circle, each radius bin corrected for the share of
    /// its ring the source circle hides; r' stays in [max(0, d − θ), d + θ]. RA/DEC are recomputed
    /// exactly on the sphere; Xoff/Yoff (when present) from the new sky offset turned by the event's
    /// own field rotation. Sources are scrambled one after another; the annulus events of source k
    /// are split into blocks of <see cref="EventsPerStream"/> (in row order), block b drawing from
    /// a stream seeded by the first number of <c>random(k)</c> and b — blocks run in parallel and
    /// the result does not depend on <paramref name="maxParallelism"/>. ALT/AZ (when present and
    /// <paramref name="horizon"/> is given) are moved with the event (<see cref="HorizontalFrame.Move"/>).
    /// Columns are updated in place, in their own types; other rows are untouched.
    /// </summary>
    /// <exception cref="FovConversionException">A source is outside the field of view, or its annulus has no events outside the source circle.</exception>
    public static IReadOnlyList<ScrambleReport> Scramble(BinaryTable events, SkyCoord pointing,
        IReadOnlyList<ScrambleSource> sources, Func<int, MimicRandom> random, HorizontalFrame? horizon = null, int maxParallelism = -1)
    {
        var reports = new List<ScrambleReport>();
        if (sources.Count == 0) return reports;
        FitsColumn raCol = events["RA"], decCol = events["DEC"];
        FitsColumn? xCol = events.Find(XoffColumn), yCol = events.Find(YoffColumn);
        if ((xCol is null) != (yCol is null)) { xCol = null; yCol = null; }
        var ev = new EventColumns(raCol.ToDoubles(), decCol.ToDoubles(), xCol?.ToDoubles(), yCol?.ToDoubles());
        int n = events.RowCount;
        var changed = new bool[n];
        var r = new double[n];
        int threads = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount;
        // Row ranges for the all-events passes: large enough that a thread's share is worth starting.
        var rowRanges = System.Collections.Concurrent.Partitioner.Create(0, n, Math.Max(65_536, n / Math.Max(1, threads * 4) + 1));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        // The original positions, for moving ALT/AZ from them once all sources are scrambled.
        double[]? ra0 = horizon is null ? null : (double[])ev.Ra.Clone(), dec0 = horizon is null ? null : (double[])ev.Dec.Clone();

        for (int k = 0; k < sources.Count; k++)
        {
            var src = sources[k];
            double theta = src.Theta;
            double d = pointing.SeparationTo(src.Position);
            Parallel.ForEach(rowRanges, parallel, range =>
            {
                for (int i = range.Item1; i < range.Item2; i++) r[i] = SphericalGeometry.Separation(pointing, new SkyCoord(ev.Ra[i], ev.Dec[i]));
            });
            double maxR = n > 0 ? r.Max() : 0;
            var annulus = new List<int>();
            for (int i = 0; i < n; i++) if (Math.Abs(r[i] - d) < theta) annulus.Add(i);
            if (annulus.Count == 0 || d > maxR)
                throw new FovConversionException(
                    $"scramble point '{src.Name}' ({src.Position}) is {d:0.###}° from the pointing ({pointing}), outside the field of view " +
                    $"(largest event offset {maxR:0.###}°; {annulus.Count} events within {theta}° of that offset)");

            // Which annulus events lie outside the source circle (in parallel), then the profile in row order.
            var outside = new bool[annulus.Count];
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, annulus.Count, EventsPerStream), parallel, range =>
            {
                for (int j = range.Item1; j < range.Item2; j++)
                {
                    int i = annulus[j];
                    outside[j] = SphericalGeometry.Separation(src.Position, new SkyCoord(ev.Ra[i], ev.Dec[i])) > theta;
                }
            });
            var profile = new List<double>();
            for (int j = 0; j < annulus.Count; j++) if (outside[j]) profile.Add(r[annulus[j]]);
            int inCircle = annulus.Count - profile.Count;
            double lo = Math.Max(0, d - theta), hi = d + theta;
            var sampler = RadialProfile.Build(profile, lo, hi, d, theta)
                ?? throw new FovConversionException(
                    $"scramble point '{src.Name}': none of the {annulus.Count} annulus events lies outside the source circle (θ = {theta}°), so the radial profile cannot be estimated");

            ulong streamKey = random(k).NextUInt64();
            int blocks = (annulus.Count + EventsPerStream - 1) / EventsPerStream;
            Parallel.For(0, blocks, parallel, b =>
            {
                var rng = new MimicRandom(streamKey, (ulong)b);
                int end = Math.Min(annulus.Count, (b + 1) * EventsPerStream);
                for (int j = b * EventsPerStream; j < end; j++)
                {
                    int i = annulus[j];
                    double pa = 360.0 * rng.NextDouble();
                    double rNew = sampler.Sample(rng.NextDouble());
                    MoveEvent(ev, i, pointing, r[i], pa, rNew);
                    changed[i] = true;
                }
            });
            reports.Add(new ScrambleReport(src, d, annulus.Count, inCircle, profile.Count));
        }

        Store(raCol, ev.Ra, changed, wrap360: true);
        Store(decCol, ev.Dec, changed);
        if (xCol is not null) Store(xCol, ev.Xoff!, changed);
        if (yCol is not null) Store(yCol, ev.Yoff!, changed);
        if (horizon is not null) MoveHorizontal(events, horizon, ra0!, dec0!, ev.Ra, ev.Dec, changed, rowRanges, parallel);
        return reports;
    }

    /// <summary>New ALT/AZ of the moved events, from their original RA/DEC and ALT/AZ to their final RA/DEC.</summary>
    /// <remarks>Each event moves on its own (no random numbers), so the rows run in parallel with the same result.</remarks>
    private static void MoveHorizontal(BinaryTable events, HorizontalFrame horizon, double[] ra0, double[] dec0, double[] ra, double[] dec, bool[] changed,
        System.Collections.Concurrent.OrderablePartitioner<Tuple<int, int>> rowRanges, ParallelOptions parallel)
    {
        FitsColumn? altCol = events.Find(AltColumn), azCol = events.Find(AzColumn);
        if (altCol is null || azCol is null) return;
        double[] alt = altCol.ToDoubles(), az = azCol.ToDoubles();
        Parallel.ForEach(rowRanges, parallel, range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                if (!changed[i] || !double.IsFinite(alt[i]) || !double.IsFinite(az[i]) || Math.Abs(alt[i]) > 90) continue;
                (alt[i], az[i]) = horizon.Move(new SkyCoord(ra0[i], dec0[i]), alt[i], az[i], new SkyCoord(ra[i], dec[i]));
            }
        });
        Store(altCol, alt, changed);
        Store(azCol, az, changed, wrap360: true);
    }

    /// <summary>The event columns the scrambler reads and changes, in double (written back in their own types at the end).</summary>
    private sealed record EventColumns(double[] Ra, double[] Dec, double[]? Xoff, double[]? Yoff);

    /// <summary>
    /// Moves one event to offset <paramref name="rNew"/> and position angle <paramref name="pa"/>
    /// around the pointing: RA/DEC on the sphere, and Xoff/Yoff (where present) from the new sky
    /// offset turned by the event's own field rotation. Per event and independent of the others,
    /// so it runs inside the parallel blocks.
    /// </summary>
    private static void MoveEvent(EventColumns ev, int i, SkyCoord pointing, double rOld, double pa, double rNew)
    {
        var old = new SkyCoord(ev.Ra[i], ev.Dec[i]);
        double paOld = SphericalGeometry.PositionAngle(pointing, old);
        var moved = SphericalGeometry.Offset(pointing, rNew, pa);
        ev.Ra[i] = moved.Ra; ev.Dec[i] = moved.Dec;
        if (ev.Xoff is { } xoff && ev.Yoff is { } yoff)
        {
            // Field rotation: angle from the sky offset (east = x, north = y) to the camera offset.
            double rho = rOld > 1e-9 && (xoff[i] != 0 || yoff[i] != 0)
                ? Math.Atan2(yoff[i], xoff[i]) - (90.0 - paOld) * Angles.DegToRad
                : 0.0;
            double phi = (90.0 - pa) * Angles.DegToRad + rho;
            (double s, double c) = Math.SinCos(phi);
            xoff[i] = rNew * c; yoff[i] = rNew * s;
        }
    }

    /// <summary>Writes the changed rows back in the column's own type.</summary>
    internal static void Store(FitsColumn column, double[] values, bool[] changed, bool wrap360 = false)
    {
        if (column.Scale is not null && column.Scale != 1.0 || column.Zero is not null && column.Zero != 0.0)
            throw new FovConversionException($"column {column.Name} is scaled (TSCAL/TZERO); only float columns can be changed");
        switch (column.Data)
        {
            case double[] dd: for (int i = 0; i < dd.Length; i++) if (changed[i]) dd[i] = values[i]; break;
            case float[] ff:
                for (int i = 0; i < ff.Length; i++)
                {
                    if (!changed[i]) continue;
                    ff[i] = (float)values[i];
                    if (wrap360 && ff[i] >= 360f) ff[i] = 0f;   // 359.999999996 rounds to 360f
                }
                break;
            default: throw new FovConversionException($"column {column.Name} (TFORM {column.Format}) is not a float column");
        }
    }
}

/// <summary>
/// The radial profile of annulus events outside the source circle as a histogram on
/// [lo, hi], each bin divided by the visible share of its ring, sampled by inverse CDF
/// (piecewise linear, no extrapolation).
/// </summary>
public sealed class RadialProfile
{
    private readonly double[] _edges;
    private readonly double[] _cdf;

    private RadialProfile(double[] edges, double[] cdf) { _edges = edges; _cdf = cdf; }

    public double Lo => _edges[0];
    public double Hi => _edges[^1];

    /// <summary>Null when no profile event lies in [lo, hi].</summary>
    public static RadialProfile? Build(IReadOnlyList<double> radii, double lo, double hi, double d, double theta)
    {
        int bins = Math.Clamp(radii.Count / 200, 4, 40);
        double w = (hi - lo) / bins;
        var counts = new double[bins];
        foreach (double r in radii)
        {
            if (r < lo || r > hi) continue;
            counts[Math.Min(bins - 1, (int)((r - lo) / w))]++;
        }
        var weight = new double[bins];
        var valid = new bool[bins];
        for (int b = 0; b < bins; b++)
        {
            double vis = 1.0 - HiddenShare(lo + b * w, lo + (b + 1) * w, d, theta);
            if (vis > 1e-3) { weight[b] = counts[b] / vis; valid[b] = true; }
        }
        if (!valid.Any(v => v) || weight.Sum() <= 0) return null;
        // A bin the source circle hides completely (source near the pointing) takes the density of the nearest visible bin.
        for (int b = 0; b < bins; b++)
        {
            if (valid[b]) continue;
            for (int step = 1; step < bins; step++)
            {
                if (b + step < bins && valid[b + step]) { weight[b] = weight[b + step]; break; }
                if (b - step >= 0 && valid[b - step]) { weight[b] = weight[b - step]; break; }
            }
        }
        var edges = new double[bins + 1];
        var cdf = new double[bins + 1];
        for (int b = 0; b <= bins; b++) edges[b] = lo + b * w;
        edges[bins] = hi;
        for (int b = 0; b < bins; b++) cdf[b + 1] = cdf[b] + weight[b];
        double total = cdf[bins];
        for (int b = 0; b <= bins; b++) cdf[b] /= total;
        cdf[bins] = 1.0;
        return new RadialProfile(edges, cdf);
    }

    /// <summary>Inverse CDF at u in [0, 1): a radius in [lo, hi].</summary>
    public double Sample(double u)
    {
        int b = Array.BinarySearch(_cdf, u);
        if (b < 0) b = ~b - 1;
        b = Math.Clamp(b, 0, _edges.Length - 2);
        while (b < _edges.Length - 2 && _cdf[b + 1] <= u) b++;
        double span = _cdf[b + 1] - _cdf[b];
        double f = span > 0 ? (u - _cdf[b]) / span : 0.0;
        return Math.Clamp(_edges[b] + f * (_edges[b + 1] - _edges[b]), _edges[0], _edges[^1]);
    }

    /// <summary>
    /// The share of the rings r ∈ [r1, r2] around the pointing hidden by a circle of radius θ at
    /// distance d (on the sphere), averaged with the ring length sin r as weight.
    /// </summary>
    public static double HiddenShare(double r1, double r2, double d, double theta)
    {
        const int steps = 32;
        double sum = 0, norm = 0;
        for (int s = 0; s < steps; s++)
        {
            double r = r1 + (s + 0.5) * (r2 - r1) / steps;
            double wgt = Math.Sin(r * Angles.DegToRad);
            sum += wgt * HiddenShareAt(r, d, theta);
            norm += wgt;
        }
        return norm > 0 ? sum / norm : HiddenShareAt(0.5 * (r1 + r2), d, theta);
    }

    /// <summary>The share of the ring at radius r hidden by the circle (θ at distance d).</summary>
    public static double HiddenShareAt(double r, double d, double theta)
    {
        double rr = r * Angles.DegToRad, dd = d * Angles.DegToRad, tt = theta * Angles.DegToRad;
        double den = Math.Sin(rr) * Math.Sin(dd);
        if (den < 1e-15) return Math.Abs(r - d) < theta ? 1.0 : 0.0;
        double c = (Math.Cos(tt) - Math.Cos(rr) * Math.Cos(dd)) / den;
        if (c <= -1) return 1.0;
        if (c >= 1) return 0.0;
        return Math.Acos(c) / Math.PI;
    }
}
