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
        // Working copies in double; the columns keep the original values until the end (ALT/AZ are moved from them).
        double[] ra = raCol.ToDoubles(), dec = decCol.ToDoubles();
        double[]? xoff = xCol?.ToDoubles(), yoff = yCol?.ToDoubles();
        int n = events.RowCount;
        var changed = new bool[n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        var toFrame = Rotation3.ToOffsetFrame(pointing);

        // Offsets from the pointing, once: a moved event's offset is the one it was given.
        var r = GC.AllocateUninitializedArray<double>(n);
        InBlocks(n, parallel, (start, length) =>
            SphereKernels.Separations(pointing.ToUnitVector(), ra.AsSpan(start, length), dec.AsSpan(start, length), r.AsSpan(start, length)));

        for (int k = 0; k < sources.Count; k++)
        {
            var src = sources[k];
            double theta = src.Theta;
            double d = pointing.SeparationTo(src.Position);
            double maxR = n > 0 ? r.Max() : 0;
            var annulus = new List<int>();
            for (int i = 0; i < n; i++) if (Math.Abs(r[i] - d) < theta) annulus.Add(i);
            if (annulus.Count == 0 || d > maxR)
                throw new FovConversionException(
                    $"scramble point '{src.Name}' ({src.Position}) is {d:0.###}° from the pointing ({pointing}), outside the field of view " +
                    $"(largest event offset {maxR:0.###}°; {annulus.Count} events within {theta}° of that offset)");

            // The annulus events gathered in row order; which lie outside the source circle, then the profile in row order.
            int m = annulus.Count;
            var a = new AnnulusEvents(m, xoff is not null);
            a.Gather(annulus, ra, dec, xoff, yoff, r);
            var fromSource = GC.AllocateUninitializedArray<double>(m);
            InBlocks(m, parallel, (start, length) =>
                SphereKernels.Separations(src.Position.ToUnitVector(), a.Ra.AsSpan(start, length), a.Dec.AsSpan(start, length), fromSource.AsSpan(start, length)));
            var profile = new List<double>();
            for (int j = 0; j < m; j++) if (fromSource[j] > theta) profile.Add(a.R[j]);
            int inCircle = m - profile.Count;
            double lo = Math.Max(0, d - theta), hi = d + theta;
            var sampler = RadialProfile.Build(profile, lo, hi, d, theta)
                ?? throw new FovConversionException(
                    $"scramble point '{src.Name}': none of the {m} annulus events lies outside the source circle (θ = {theta}°), so the radial profile cannot be estimated");

            // Block b of the annulus draws (position angle, offset) pairs in row order from stream (k, b).
            ulong streamKey = random(k).NextUInt64();
            int blocks = (m + EventsPerStream - 1) / EventsPerStream;
            var pa = GC.AllocateUninitializedArray<double>(m);
            var rNew = GC.AllocateUninitializedArray<double>(m);
            Parallel.For(0, blocks, parallel, b =>
            {
                var rng = new MimicRandom(streamKey, (ulong)b);
                int start = b * EventsPerStream, length = Math.Min(m, start + EventsPerStream) - start;
                for (int j = start; j < start + length; j++)
                {
                    pa[j] = 360.0 * rng.NextDouble();
                    rNew[j] = sampler.Sample(rng.NextDouble());
                }
                SphereKernels.MoveAroundPointing(toFrame, a.R.AsSpan(start, length), pa.AsSpan(start, length), rNew.AsSpan(start, length),
                    a.Ra.AsSpan(start, length), a.Dec.AsSpan(start, length),
                    a.Xoff is null ? default : a.Xoff.AsSpan(start, length), a.Yoff is null ? default : a.Yoff.AsSpan(start, length));
            });
            a.Scatter(annulus, rNew, ra, dec, xoff, yoff, r, changed);
            reports.Add(new ScrambleReport(src, d, m, inCircle, profile.Count));
        }

        if (horizon is not null) MoveHorizontal(events, horizon, raCol, decCol, ra, dec, changed, parallel);
        Store(raCol, ra, changed, wrap360: true);
        Store(decCol, dec, changed);
        if (xCol is not null) Store(xCol, xoff!, changed);
        if (yCol is not null) Store(yCol, yoff!, changed);
        return reports;
    }

    /// <summary>The annulus events of one source, copied out in row order so that the kernels read and write contiguous memory.</summary>
    private sealed class AnnulusEvents(int count, bool camera)
    {
        public readonly double[] Ra = GC.AllocateUninitializedArray<double>(count), Dec = GC.AllocateUninitializedArray<double>(count),
            R = GC.AllocateUninitializedArray<double>(count);
        public readonly double[]? Xoff = camera ? GC.AllocateUninitializedArray<double>(count) : null,
            Yoff = camera ? GC.AllocateUninitializedArray<double>(count) : null;

        public void Gather(List<int> rows, double[] ra, double[] dec, double[]? xoff, double[]? yoff, double[] r)
        {
            for (int j = 0; j < rows.Count; j++)
            {
                int i = rows[j];
                Ra[j] = ra[i]; Dec[j] = dec[i]; R[j] = r[i];
                if (Xoff is not null) { Xoff[j] = xoff![i]; Yoff![j] = yoff![i]; }
            }
        }

        /// <summary>Moved events back into the run's columns; their offset is now the drawn one.</summary>
        public void Scatter(List<int> rows, double[] rNew, double[] ra, double[] dec, double[]? xoff, double[]? yoff, double[] r, bool[] changed)
        {
            for (int j = 0; j < rows.Count; j++)
            {
                int i = rows[j];
                ra[i] = Ra[j]; dec[i] = Dec[j]; r[i] = rNew[j]; changed[i] = true;
                if (Xoff is not null) { xoff![i] = Xoff[j]; yoff![i] = Yoff![j]; }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on blocks of rows in parallel (each row on its own: the split does not change results).</summary>
    private static void InBlocks(int rows, ParallelOptions parallel, Action<int, int> work)
    {
        const int BlockRows = 1 << 16;
        int blocks = (rows + BlockRows - 1) / BlockRows;
        if (blocks <= 1) { work(0, rows); return; }
        Parallel.For(0, blocks, parallel, b => work(b * BlockRows, Math.Min(BlockRows, rows - b * BlockRows)));
    }

    /// <summary>New ALT/AZ of the moved events, from their original RA/DEC (still in the columns) and ALT/AZ to their final RA/DEC.</summary>
    private static void MoveHorizontal(BinaryTable events, HorizontalFrame horizon, FitsColumn raCol, FitsColumn decCol, double[] ra, double[] dec,
        bool[] changed, ParallelOptions parallel)
    {
        FitsColumn? altCol = events.Find(AltColumn), azCol = events.Find(AzColumn);
        if (altCol is null || azCol is null) return;
        var rows = new List<int>();
        for (int i = 0; i < changed.Length; i++) if (changed[i]) rows.Add(i);
        int m = rows.Count;
        double[] ra0 = Gather(raCol, rows), dec0 = Gather(decCol, rows), alt = Gather(altCol, rows), az = Gather(azCol, rows);
        double[] ra1 = new double[m], dec1 = new double[m];
        for (int j = 0; j < m; j++) { ra1[j] = ra[rows[j]]; dec1[j] = dec[rows[j]]; }
        InBlocks(m, parallel, (start, length) => horizon.Move(ra0.AsSpan(start, length), dec0.AsSpan(start, length),
            ra1.AsSpan(start, length), dec1.AsSpan(start, length), alt.AsSpan(start, length), az.AsSpan(start, length)));
        Scatter(altCol, rows, alt);
        Scatter(azCol, rows, az, wrap360: true);
    }

    /// <summary>The values of some rows of a column, in double (as <see cref="FitsColumn.ToDoubles"/> gives them).</summary>
    private static double[] Gather(FitsColumn column, List<int> rows)
    {
        var values = new double[rows.Count];
        switch (column.Data)
        {
            case float[] f when column.Scale is null or 1.0 && column.Zero is null or 0.0:
                for (int j = 0; j < rows.Count; j++) values[j] = f[rows[j]];
                break;
            case double[] d when column.Scale is null or 1.0 && column.Zero is null or 0.0:
                for (int j = 0; j < rows.Count; j++) values[j] = d[rows[j]];
                break;
            default:
                var all = column.ToDoubles();
                for (int j = 0; j < rows.Count; j++) values[j] = all[rows[j]];
                break;
        }
        return values;
    }

    /// <summary>Writes values of some rows back in the column's own type.</summary>
    private static void Scatter(FitsColumn column, List<int> rows, double[] values, bool wrap360 = false)
    {
        CheckWritable(column);
        switch (column.Data)
        {
            case double[] dd: for (int j = 0; j < rows.Count; j++) dd[rows[j]] = values[j]; break;
            case float[] ff:
                for (int j = 0; j < rows.Count; j++)
                {
                    float v = (float)values[j];
                    ff[rows[j]] = wrap360 && v >= 360f ? 0f : v;   // 359.999999996 rounds to 360f
                }
                break;
            default: throw new FovConversionException($"column {column.Name} (TFORM {column.Format}) is not a float column");
        }
    }

    private static void CheckWritable(FitsColumn column)
    {
        if (column.Scale is not null && column.Scale != 1.0 || column.Zero is not null && column.Zero != 0.0)
            throw new FovConversionException($"column {column.Name} is scaled (TSCAL/TZERO); only float columns can be changed");
    }

    /// <summary>Writes the changed rows back in the column's own type.</summary>
    internal static void Store(FitsColumn column, double[] values, bool[] changed, bool wrap360 = false)
    {
        CheckWritable(column);
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
