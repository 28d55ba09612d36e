using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// own field rotation; ALT/AZ (when present and <paramref name="horizon"/> is given) by the rigid
    /// move of <see cref="HorizontalFrame.Move(SkyCoord, double, double, SkyCoord)"/>. All of it is
    /// computed in double from the column values and stored once per source in the column's own type.
    /// Sources are scrambled one after another, each on the columns as the previous one left them.
    /// The annulus events of source k are split into blocks of <see cref="EventsPerStream"/> (in row
    /// order), block b drawing from a stream seeded by the first number of <c>random(k)</c> and b —
    /// blocks run in parallel and the result does not depend on <paramref name="maxParallelism"/>.
    /// Other rows are untouched.
    /// </summary>
    /// <exception cref="FovConversionException">A source is outside the field of view, or its annulus has no events outside the source circle.</exception>
    public static IReadOnlyList<ScrambleReport> Scramble(BinaryTable events, SkyCoord pointing,
        IReadOnlyList<ScrambleSource> sources, Func<int, MimicRandom> random, HorizontalFrame? horizon = null, int maxParallelism = -1)
    {
        var reports = new List<ScrambleReport>();
        if (sources.Count == 0) return reports;
        var columns = new EventColumns(events, horizon is not null);
        int n = events.RowCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        var toFrame = Rotation3.ToOffsetFrame(pointing);
        var poles = horizon?.Poles;

        // Cosines of the offsets from the pointing, once (a moved event's is that of the offset it was given):
        // a ring is a range of cosines, and the offsets themselves are needed only for the annulus events.
        // Scratch arrays come from the shared pool: a campaign scrambles run after run, and fresh arrays of
        // this size cost more in page faults than the arithmetic done in them.
        var cosR = ArrayPool<double>.Shared.Rent(n);
        var rows = ArrayPool<int>.Shared.Rent(n + 1);
        try
        {
            RowBlocks.For(n, parallel, (start, length) => columns.CosOffsets(pointing.ToUnitVector(), start, length, cosR));
            for (int k = 0; k < sources.Count; k++)
                reports.Add(ScrambleOne(k, sources[k], cosR, n, rows, columns, pointing, toFrame, poles, random, parallel));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(cosR);
            ArrayPool<int>.Shared.Return(rows);
        }
        return reports;
    }

    /// <summary>
    /// Scrambles source <paramref name="k"/> (see <see cref="Scramble"/>). The first <paramref name="n"/> values of
    /// <paramref name="cosR"/> are the cosines of every event's offset and are updated; <paramref name="rowBuffer"/> holds n + 1 rows.
    /// </summary>
    private static ScrambleReport ScrambleOne(int k, ScrambleSource src, double[] cosR, int n, int[] rowBuffer, EventColumns columns,
        SkyCoord pointing, Rotation3 toFrame, HorizonPoles? poles, Func<int, MimicRandom> random, ParallelOptions parallel)
    {
        double theta = src.Theta;
        double d = pointing.SeparationTo(src.Position);
        int m = AnnulusRows(cosR, n, d, theta, rowBuffer, parallel, out double maxR);
        if (m == 0 || d > maxR)
            throw new FovConversionException(
                $"scramble point '{src.Name}' ({src.Position}) is {d:0.###}° from the pointing ({pointing}), outside the field of view " +
                $"(largest event offset {maxR:0.###}°; {m} events within {theta}° of that offset)");

        // The annulus events copied out in row order; those outside the source circle make the profile (row order).
        using var a = new AnnulusEvents(m, columns);
        RowBlocks.For(m, parallel, (start, length) =>
        {
            a.Gather(columns, rowBuffer, start, length);
            Span<double> P(double[] values) => values.AsSpan(start, length);
            SphereKernels.UnitVectorsAndSeparations(P(a.Ra), P(a.Dec), P(a.X), P(a.Y), P(a.Z),
                pointing.ToUnitVector(), P(a.R), src.Position.ToUnitVector(), P(a.FromSource));
        });
        // The profile: the offsets of the annulus events outside the source circle, histogrammed in blocks in parallel.
        double lo = Math.Max(0, d - theta), hi = d + theta;
        var outsidePerBlock = new int[RowBlocks.Count(m)];
        RowBlocks.For(m, parallel, (start, length) => outsidePerBlock[start / RowBlocks.Rows] = CountAbove(a.FromSource.AsSpan(start, length), theta));
        int profileCount = outsidePerBlock.Sum();
        int bins = RadialProfile.Bins(profileCount);
        var histograms = new long[outsidePerBlock.Length, bins];
        RowBlocks.For(m, parallel, (start, length) => RadialProfile.AddToHistogram(a.R.AsSpan(start, length), a.FromSource.AsSpan(start, length), theta, lo, hi,
            MemoryMarshal.CreateSpan(ref histograms[start / RowBlocks.Rows, 0], bins)));
        var counts = new long[bins];
        for (int b = 0; b < outsidePerBlock.Length; b++)
            for (int i = 0; i < bins; i++) counts[i] += histograms[b, i];
        var sampler = RadialProfile.FromHistogram(counts, lo, hi, d, theta)
            ?? throw new FovConversionException(
                $"scramble point '{src.Name}': none of the {m} annulus events lies outside the source circle (θ = {theta}°), so the radial profile cannot be estimated");

        // Block b of the annulus draws (position angle, offset) pairs in row order from stream (k, b), moves
        // its events and writes them back (rows are distinct, so blocks never write the same row).
        ulong streamKey = random(k).NextUInt64();
        int blocks = (m + EventsPerStream - 1) / EventsPerStream;
        Parallel.For(0, blocks, parallel, b =>
        {
            var rng = new MimicRandom(streamKey, (ulong)b);
            int start = b * EventsPerStream, length = Math.Min(m, start + EventsPerStream) - start;
            double[] pa = ArrayPool<double>.Shared.Rent(length), rNew = ArrayPool<double>.Shared.Rent(length);
            try
            {
                Span<double> P(double[]? values) => values is null ? default : values.AsSpan(start, length);
                Span<double> pas = pa.AsSpan(0, length), rs = rNew.AsSpan(0, length);
                Draw(rng, sampler, pas, rs);
                SphereKernels.MoveAroundPointing(toFrame, P(a.X), P(a.Y), P(a.Z), P(a.R), pas, rs,
                    P(a.Ra), P(a.Dec), P(a.Xoff), P(a.Yoff), a.Alt is null ? null : poles, P(a.Alt), P(a.Az));
                SphereKernels.Cosines(rs, pas);   // the position angles are spent: their place takes cos r'
                a.Scatter(columns, rowBuffer, cosR, start, length, pas);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(pa);
                ArrayPool<double>.Shared.Return(rNew);
            }
        });
        return new ScrambleReport(src, d, m, m - profileCount, profileCount);
    }

    /// <summary>
    /// The rows among the first <paramref name="n"/> with |r − d| &lt; θ, in row order, into <paramref name="rows"/>
    /// (n + 1 long), from the cosines of the offsets r: cos(d + θ) &lt; cos r &lt; cos(d − θ). Returns their
    /// number and the largest offset. Each block of rows is counted, then filled at its offset, in parallel,
    /// without a branch per row (about half the rows of a run can be in an annulus).
    /// </summary>
    private static int AnnulusRows(double[] cosR, int n, double d, double theta, int[] rows, ParallelOptions parallel, out double maxOffset)
    {
        // The ring as a centre and half-width in cos r, so that each row takes one comparison; past the
        // pointing (d − θ ≤ 0) or its antipode (d + θ ≥ 180°) the ring has no inner or outer edge: ±2 is beyond any cosine.
        double outer = d + theta >= 180 ? -2 : Math.Cos((d + theta) * Angles.DegToRad);
        double inner = d - theta <= 0 ? 2 : Math.Cos((d - theta) * Angles.DegToRad);
        double middle = 0.5 * (inner + outer), half = 0.5 * (inner - outer);
        int blocks = RowBlocks.Count(n);
        var counts = new int[blocks + 1];
        var smallest = new double[blocks];
        RowBlocks.For(n, parallel, (start, length) =>
            (counts[start / RowBlocks.Rows + 1], smallest[start / RowBlocks.Rows]) = CountAnnulus(cosR.AsSpan(start, length), middle, half));
        maxOffset = blocks > 0 ? Math.Acos(Math.Clamp(smallest.Min(), -1, 1)) * Angles.RadToDeg : 0;
        for (int b = 0; b < blocks; b++) counts[b + 1] += counts[b];
        // Every row is written before it is counted; a block's writes past its own part go to the spare
        // slot n (never to the next block's part, which another thread is filling).
        RowBlocks.For(n, parallel, (start, length) =>
        {
            int b = start / RowBlocks.Rows;
            FillAnnulus(cosR, start, start + length, middle, half, rows, counts[b], counts[b + 1], n);
        });
        return counts[blocks];
    }

    // The loops of the scrambling are optimised at their first call (AggressiveOptimization): a process
    // scrambles a few runs, too few for the tiered JIT to replace its first code (measured: the moves took
    // 50-70 ms of CPU in a process's first conversions, 31 ms once optimised).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Count, double Smallest) CountAnnulus(ReadOnlySpan<double> cosR, double middle, double half)
    {
        int count = 0;
        double smallest = 1;
        foreach (double c in cosR)
        {
            count += Math.Abs(c - middle) < half ? 1 : 0;
            smallest = c < smallest ? c : smallest;
        }
        return (count, smallest);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillAnnulus(double[] cosR, int first, int end, double middle, double half, int[] rows, int at, int limit, int spare)
    {
        for (int i = first; i < end; i++)
        {
            rows[at < limit ? at : spare] = i;
            at += Math.Abs(cosR[i] - middle) < half ? 1 : 0;
        }
    }

    /// <summary>One block's position angles and offsets, drawn in row order from its stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Draw(MimicRandom rng, RadialProfile sampler, Span<double> pa, Span<double> rNew)
    {
        for (int j = 0; j < pa.Length; j++)
        {
            pa[j] = 360.0 * rng.NextDouble();
            rNew[j] = sampler.Sample(rng.NextDouble());
        }
    }

    /// <summary>How many values are above <paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountAbove(ReadOnlySpan<double> values, double limit)
    {
        int count = 0;
        foreach (double v in values) count += v > limit ? 1 : 0;
        return count;
    }


    /// <summary>The columns the scrambler reads and changes: RA/DEC, and where present XOFF/YOFF and (with a horizon) ALT/AZ.</summary>
    private sealed class EventColumns
    {
        public readonly FitsColumn Ra, Dec;
        public readonly FitsColumn? Xoff, Yoff, Alt, Az;

        public EventColumns(BinaryTable events, bool horizontal)
        {
            Ra = Writable(events["RA"]);
            Dec = Writable(events["DEC"]);
            Xoff = events.Find(XoffColumn);
            Yoff = events.Find(YoffColumn);
            if (Xoff is null || Yoff is null) (Xoff, Yoff) = (null, null);
            else { Writable(Xoff); Writable(Yoff); }
            if (horizontal) { Alt = events.Find(AltColumn); Az = events.Find(AzColumn); }
            if (Alt is null || Az is null) (Alt, Az) = (null, null);
            else { Writable(Alt); Writable(Az); }
        }

        public void CosOffsets(UnitVector pointing, int start, int length, double[] cosR)
        {
            var into = cosR.AsSpan(start, length);
            switch (Ra.Data, Dec.Data)
            {
                case (float[] ra, float[] dec): SphereKernels.CosSeparations(pointing, ra.AsSpan(start, length), dec.AsSpan(start, length), into); break;
                case (double[] ra, double[] dec): SphereKernels.CosSeparations(pointing, ra.AsSpan(start, length), dec.AsSpan(start, length), into); break;
                default:
                    var raD = new double[length]; var decD = new double[length];
                    Copy(Ra, start, raD); Copy(Dec, start, decD);
                    SphereKernels.CosSeparations(pointing, raD, decD, into);
                    break;
            }
        }

        private static void Copy(FitsColumn c, int start, double[] into)
        {
            for (int i = 0; i < into.Length; i++) into[i] = Value(c, start + i);
        }

        public static double Value(FitsColumn c, int row) => c.Data switch
        {
            float[] f => f[row],
            double[] d => d[row],
            _ => throw new FovConversionException($"column {c.Name} (TFORM {c.Format}) is not a float column"),
        };

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Scatter(double[] values, ReadOnlySpan<int> rows, ReadOnlySpan<double> from)
        {
            for (int j = 0; j < rows.Length; j++) values[rows[j]] = from[j];
        }

        /// <summary>Values of some rows, in double.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Gather(FitsColumn c, ReadOnlySpan<int> rows, Span<double> into)
        {
            switch (c.Data)
            {
                case float[] f: for (int j = 0; j < rows.Length; j++) into[j] = f[rows[j]]; break;
                case double[] d: for (int j = 0; j < rows.Length; j++) into[j] = d[rows[j]]; break;
                default: throw new FovConversionException($"column {c.Name} (TFORM {c.Format}) is not a float column");
            }
        }

        /// <summary>Stores values of some rows in the column's own type; RA and AZ wrap so that a float never reads 360.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Scatter(FitsColumn c, ReadOnlySpan<int> rows, ReadOnlySpan<double> values, bool wrap360)
        {
            switch (c.Data)
            {
                case double[] d: for (int j = 0; j < rows.Length; j++) d[rows[j]] = values[j]; break;
                case float[] f:
                    for (int j = 0; j < rows.Length; j++)
                    {
                        float v = (float)values[j];
                        f[rows[j]] = wrap360 && v >= 360f ? 0f : v;   // 359.999999996 rounds to 360f
                    }
                    break;
                default: throw new FovConversionException($"column {c.Name} (TFORM {c.Format}) is not a float column");
            }
        }

        private static FitsColumn Writable(FitsColumn column)
        {
            if (column.Scale is not null && column.Scale != 1.0 || column.Zero is not null && column.Zero != 0.0)
                throw new FovConversionException($"column {column.Name} is scaled (TSCAL/TZERO); only float columns can be changed");
            if (column.Data is not (float[] or double[]))
                throw new FovConversionException($"column {column.Name} (TFORM {column.Format}) is not a float column");
            return column;
        }
    }

    /// <summary>
    /// One source's annulus events, copied out of the columns in row order so the kernels read and write
    /// contiguous memory, and the scratch arrays of their move; all rented from the shared pool (only the
    /// first <c>count</c> values are used) and given back by <see cref="Dispose"/>.
    /// </summary>
    private sealed class AnnulusEvents : IDisposable
    {
        private readonly List<double[]> _rented = [];
        public readonly double[] Ra, Dec, R;
        /// <summary>Unit vectors of the events' positions before the move.</summary>
        public readonly double[] X, Y, Z;
        public readonly double[]? Xoff, Yoff, Alt, Az;
        /// <summary>Separation from the source.</summary>
        public readonly double[] FromSource;

        public AnnulusEvents(int count, EventColumns columns)
        {
            double[] Rent() { var a = ArrayPool<double>.Shared.Rent(count); _rented.Add(a); return a; }
            (Ra, Dec, R, X, Y, Z) = (Rent(), Rent(), Rent(), Rent(), Rent(), Rent());
            FromSource = Rent();
            if (columns.Xoff is not null) (Xoff, Yoff) = (Rent(), Rent());
            if (columns.Alt is not null) (Alt, Az) = (Rent(), Rent());
        }

        public void Dispose()
        {
            foreach (var a in _rented) ArrayPool<double>.Shared.Return(a);
            _rented.Clear();
        }

        public void Gather(EventColumns c, int[] rows, int start, int length)
        {
            var part = rows.AsSpan(start, length);
            EventColumns.Gather(c.Ra, part, Ra.AsSpan(start, length));
            EventColumns.Gather(c.Dec, part, Dec.AsSpan(start, length));
            if (Xoff is not null) { EventColumns.Gather(c.Xoff!, part, Xoff.AsSpan(start, length)); EventColumns.Gather(c.Yoff!, part, Yoff!.AsSpan(start, length)); }
            if (Alt is not null) { EventColumns.Gather(c.Alt!, part, Alt.AsSpan(start, length)); EventColumns.Gather(c.Az!, part, Az!.AsSpan(start, length)); }
        }

        /// <summary>The moved events back into the columns; the cosines of their offsets are now those of the drawn ones.</summary>
        public void Scatter(EventColumns c, int[] rows, double[] cosR, int start, int length, ReadOnlySpan<double> cosNew)
        {
            var part = rows.AsSpan(start, length);
            EventColumns.Scatter(cosR, part, cosNew);
            EventColumns.Scatter(c.Ra, part, Ra.AsSpan(start, length), wrap360: true);
            EventColumns.Scatter(c.Dec, part, Dec.AsSpan(start, length), wrap360: false);
            if (Xoff is not null) { EventColumns.Scatter(c.Xoff!, part, Xoff.AsSpan(start, length), false); EventColumns.Scatter(c.Yoff!, part, Yoff!.AsSpan(start, length), false); }
            if (Alt is not null) { EventColumns.Scatter(c.Alt!, part, Alt.AsSpan(start, length), false); EventColumns.Scatter(c.Az!, part, Az!.AsSpan(start, length), wrap360: true); }
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

    private const int GuideSize = 64;
    /// <summary>For t in [0, 64): the last bin whose lower CDF value is ≤ t/64, where a search for u in [t/64, (t+1)/64) starts.</summary>
    private readonly int[] _guide = new int[GuideSize];

    private RadialProfile(double[] edges, double[] cdf)
    {
        _edges = edges;
        _cdf = cdf;
        int b = 0;
        for (int t = 0; t < GuideSize; t++)
        {
            while (b < cdf.Length - 2 && cdf[b + 1] <= (double)t / GuideSize) b++;
            _guide[t] = b;
        }
    }

    public double Lo => _edges[0];
    public double Hi => _edges[^1];

    /// <summary>Null when no profile event lies in [lo, hi].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RadialProfile? Build(ReadOnlySpan<double> radii, double lo, double hi, double d, double theta)
    {
        var counts = new long[Bins(radii.Length)];
        AddToHistogram(radii, default, 0, lo, hi, counts);
        return FromHistogram(counts, lo, hi, d, theta);
    }

    /// <summary>The number of radius bins for a profile of <paramref name="events"/> events: about 200 a bin, 4 to 40.</summary>
    public static int Bins(int events) => Math.Clamp(events / 200, 4, 40);

    /// <summary>
    /// Adds to <paramref name="counts"/> (one per bin on [lo, hi]) the radii in that range — of all of them, or
    /// where <paramref name="separation"/> is given only of those with separation &gt; <paramref name="theta"/>
    /// (the events outside the source circle). Counts add up, so blocks of events can be counted apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToHistogram(ReadOnlySpan<double> radii, ReadOnlySpan<double> separation, double theta, double lo, double hi, Span<long> counts)
    {
        int bins = counts.Length;
        double w = (hi - lo) / bins;
        for (int j = 0; j < radii.Length; j++)
        {
            double r = radii[j];
            if (r < lo || r > hi || !separation.IsEmpty && !(separation[j] > theta)) continue;
            counts[Math.Min(bins - 1, (int)((r - lo) / w))]++;
        }
    }

    /// <summary>The profile of a histogram of radii on [lo, hi] (see <see cref="AddToHistogram"/>); null when it is empty.</summary>
    public static RadialProfile? FromHistogram(ReadOnlySpan<long> counts, double lo, double hi, double d, double theta)
    {
        int bins = counts.Length;
        double w = (hi - lo) / bins;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Sample(double u)
    {
        // The last bin whose lower CDF value is ≤ u (empty bins are skipped): from the guide table's
        // bin for u's 1/64th, forward (runs once per moved event).
        int b = _guide[Math.Clamp((int)(u * GuideSize), 0, GuideSize - 1)];
        while (b < _cdf.Length - 2 && _cdf[b + 1] <= u) b++;
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
