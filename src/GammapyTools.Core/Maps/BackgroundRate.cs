using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GammapyTools.Dl3;

namespace GammapyTools.Maps;

/// <summary>
/// A background model (bkg_2d or bkg_3d) evaluated the way gammapy 1.0's MapDatasetMaker evaluates
/// it, so that our maps agree with gammapy's pixel by pixel:
/// <list type="bullet">
/// <item>zeros inside the energy axis are first filled by interpolating log(rate) along energy
///   (<c>interp_missing_data</c>); a bkg_2d is padded by one offset bin at each end, repeating the
///   edge values (<c>background_pad_offset</c>);</item>
/// <item>the rate is interpolated linearly in (log E, offset) or (log E, FoV lon, FoV lat) between bin
///   centres, on log(rate) (clipped at float32's smallest normal number), extrapolating past the
///   outer centres, and is 0 outside the axes' edges;</item>
/// <item>it is integrated over each energy bin by the log-log trapezoid (a power law between the
///   rates at the bin's edges, <c>trapz_loglog</c>).</item>
/// </list>
/// </summary>
internal sealed class BackgroundRate
{
    private const double Tiny = 1.1754943508222875e-38;   // np.finfo(np.float32).tiny

    private readonly Axis[] _axes;       // energy first
    private readonly double[] _logValues; // row-major over _axes (last axis fastest)
    private readonly double _unitToTeV;  // rate unit's energy part → TeV-1

    private sealed record Axis(double[] Edges, double[] Nodes, bool Log);

    /// <summary>Energy range of the model (TeV).</summary>
    public double EnergyMin => _axes[0].Edges[0];
    public double EnergyMax => _axes[0].Edges[^1];

    /// <summary>True for a bkg_2d (rate depends on the offset from the pointing), false for bkg_3d.</summary>
    public bool HasOffsetAxis { get; }

    private BackgroundRate(Axis[] axes, double[] values, string unit, bool hasOffset)
    {
        _axes = axes;
        HasOffsetAxis = hasOffset;
        _unitToTeV = EnergyUnitFactor(unit);
        _logValues = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            // log(clip(v, tiny, inf)); NaN stays NaN and becomes 0 after evaluation, as in gammapy.
            _logValues[i] = double.IsNaN(v) ? double.NaN : Math.Log(Math.Max(v, Tiny));
        }
    }

    public static BackgroundRate From(Background2D b)
    {
        int ne = b.EnergyBins, no = b.OffsetBins;
        var data = new double[ne, no];
        for (int e = 0; e < ne; e++) for (int o = 0; o < no; o++) data[e, o] = b.Data[e, o];
        FillMissingAlongEnergy(ne, no, (e, o) => data[e, o], (e, o, v) => data[e, o] = v);
        // Pad the offset axis by one bin each side, edge values repeated (gammapy's MapAxis.pad
        // extrapolates the edges linearly in the axis' own scale).
        var oe = b.OffsetEdges;
        var padded = new double[no + 3];
        padded[0] = oe[0] - (oe[1] - oe[0]);
        for (int i = 0; i <= no; i++) padded[i + 1] = oe[i];
        padded[no + 2] = oe[no] + (oe[no] - oe[no - 1]);
        var values = new double[ne * (no + 2)];
        for (int e = 0; e < ne; e++)
            for (int o = 0; o < no + 2; o++) values[e * (no + 2) + o] = data[e, Math.Clamp(o - 1, 0, no - 1)];
        return new BackgroundRate([EnergyAxis(b.EnergyEdges), LinearAxis(padded)], values, b.Unit, hasOffset: true);
    }

    public static BackgroundRate From(Background3D b)
    {
        int ne = b.EnergyBins, nx = b.LonBins, ny = b.LatBins;
        var values = new double[ne * nx * ny];
        for (int e = 0; e < ne; e++)
            for (int x = 0; x < nx; x++)
                for (int y = 0; y < ny; y++) values[(e * nx + x) * ny + y] = b.Data[e, x, y];
        FillMissingAlongEnergy(ne, nx * ny, (e, j) => values[e * nx * ny + j], (e, j, v) => values[e * nx * ny + j] = v);
        return new BackgroundRate([EnergyAxis(b.EnergyEdges), LinearAxis(b.LonEdges), LinearAxis(b.LatEdges)], values, b.Unit, hasOffset: false);
    }

    private static Axis EnergyAxis(double[] edges)
    {
        var nodes = new double[edges.Length - 1];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = 0.5 * (Math.Log(edges[i]) + Math.Log(edges[i + 1]));
        return new Axis(edges, nodes, Log: true);
    }

    private static Axis LinearAxis(double[] edges)
    {
        var nodes = new double[edges.Length - 1];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = 0.5 * (edges[i] + edges[i + 1]);
        return new Axis(edges, nodes, Log: false);
    }

    /// <summary>
    /// gammapy's <c>interp_missing_data(axis_name="energy")</c>: a zero or non-finite rate between
    /// valid ones along energy is replaced by interpolating log(rate) in bin index; zeros before the
    /// first or after the last valid bin stay zero.
    /// </summary>
    private static void FillMissingAlongEnergy(int ne, int n, Func<int, int, double> get, Action<int, int, double> set)
    {
        for (int j = 0; j < n; j++)
        {
            int previous = -1;
            for (int e = 0; e < ne; e++)
            {
                double v = get(e, j);
                if (!(double.IsFinite(v) && v != 0)) continue;
                if (previous >= 0 && e - previous > 1)
                {
                    double l0 = Math.Log(get(previous, j)), l1 = Math.Log(v);
                    for (int k = previous + 1; k < e; k++)
                        set(k, j, Math.Exp(l0 + (l1 - l0) * (k - previous) / (e - previous)));
                }
                previous = e;
            }
        }
    }

    /// <summary>TeV per unit of the rate's energy (the rate is per MeV in GADF): 1e6 for MeV-1.</summary>
    private static double EnergyUnitFactor(string unit)
    {
        string u = unit.Replace(" ", "");
        if (u.Contains("TeV", StringComparison.Ordinal)) return 1;
        if (u.Contains("GeV", StringComparison.Ordinal)) return 1e3;
        if (u.Contains("keV", StringComparison.Ordinal)) return 1e9;
        return 1e6;   // MeV, the GADF unit
    }

    /// <summary>
    /// The rate (per TeV, s-1 sr-1) at energy <paramref name="energy"/> (TeV) and spatial
    /// coordinates (offset; or FoV lon, lat) in degrees.
    /// </summary>
    public double Evaluate(double energy, double c1, double c2 = 0) => ForEnergyEdges([energy, energy * 2]).RateAtEdge(0, c1, c2);

    /// <summary>
    /// An integrator over fixed energy bins: log(rate) interpolated along energy once per bin edge,
    /// so that a pixel costs one spatial interpolation and one exp per edge.
    /// </summary>
    public EnergyIntegrator ForEnergyEdges(double[] energyEdges)
    {
        var energy = _axes[0];
        int spatial = _logValues.Length / energy.Nodes.Length;
        var planes = new double[energyEdges.Length][];
        var valid = new bool[energyEdges.Length];
        for (int k = 0; k < energyEdges.Length; k++)
        {
            double e = energyEdges[k];
            valid[k] = e >= energy.Edges[0] && e <= energy.Edges[^1];
            var (i, t) = Cell(energy.Nodes, Math.Log(e));
            var plane = new double[spatial];
            for (int s = 0; s < spatial; s++)
                plane[s] = energy.Nodes.Length == 1 ? _logValues[s] : (1 - t) * _logValues[i * spatial + s] + t * _logValues[(i + 1) * spatial + s];
            planes[k] = plane;
        }
        return new EnergyIntegrator(this, energyEdges, planes, valid);
    }

    /// <summary>The interpolation cell of x among nodes (scipy: left cell, clamped to the outer cells) and the fraction t in it.</summary>
    private static (int Lower, double T) Cell(double[] nodes, double x)
    {
        if (nodes.Length == 1) return (0, 0);
        int i = Math.Clamp(LowerBound(nodes, x) - 1, 0, nodes.Length - 2);
        return (i, (x - nodes[i]) / (nodes[i + 1] - nodes[i]));
    }

    /// <summary>See <see cref="ForEnergyEdges"/>.</summary>
    internal sealed class EnergyIntegrator
    {
        private readonly BackgroundRate _rate;
        private readonly double[] _edges, _lnEdges;
        private readonly double[][] _planes;
        private readonly bool[] _valid;

        public EnergyIntegrator(BackgroundRate rate, double[] edges, double[][] planes, bool[] valid)
        {
            _rate = rate; _edges = edges; _planes = planes; _valid = valid;
            _lnEdges = edges.Select(e => Math.Log(e)).ToArray();
        }

        /// <summary>Spatial cell of (c1, c2): up to four plane indices with weights; false outside the axes' edges.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Spatial(double c1, double c2, Span<int> index, Span<double> weight)
        {
            var axes = _rate._axes;
            var a1 = axes[1];
            if (!(c1 >= a1.Edges[0] && c1 <= a1.Edges[^1])) return false;
            var (i1, t1) = Cell(a1.Nodes, c1);
            if (axes.Length == 2)
            {
                index[0] = i1; weight[0] = a1.Nodes.Length == 1 ? 1 : 1 - t1;
                index[1] = Math.Min(i1 + 1, a1.Nodes.Length - 1); weight[1] = a1.Nodes.Length == 1 ? 0 : t1;
                index[2] = index[3] = 0; weight[2] = weight[3] = 0;
                return true;
            }
            var a2 = axes[2];
            if (!(c2 >= a2.Edges[0] && c2 <= a2.Edges[^1])) return false;
            var (i2, t2) = Cell(a2.Nodes, c2);
            int n2 = a2.Nodes.Length;
            double u1 = a1.Nodes.Length == 1 ? 0 : t1, u2 = n2 == 1 ? 0 : t2;
            int j1 = Math.Min(i1 + 1, a1.Nodes.Length - 1), j2 = Math.Min(i2 + 1, n2 - 1);
            index[0] = i1 * n2 + i2; weight[0] = (1 - u1) * (1 - u2);
            index[1] = i1 * n2 + j2; weight[1] = (1 - u1) * u2;
            index[2] = j1 * n2 + i2; weight[2] = u1 * (1 - u2);
            index[3] = j1 * n2 + j2; weight[3] = u1 * u2;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double Value(int k, ReadOnlySpan<int> index, ReadOnlySpan<double> weight, out double log)
        {
            var plane = _planes[k];
            log = 0;
            for (int c = 0; c < 4; c++) if (weight[c] != 0) log += weight[c] * plane[index[c]];
            if (!_valid[k]) return 0;
            double value = Math.Exp(log);
            // gammapy's LogScale inverse: values at the clip level are zero; non-finite → 0.
            if (Math.Abs(value) - Tiny <= Tiny || !double.IsFinite(value)) return 0;
            return value;
        }

            /// <summary>
        /// Σ over the energy bins of ∫ rate dE (s-1 sr-1) at each point (c1, c2; c2 ignored for a
        /// bkg_2d), by gammapy's log-log trapezoid (<see cref="IntegrateLogLog"/>) written with the logs
        /// at hand: a power law through (e0, v0), (e1, v1) integrates to
        /// (e1 v1 − e0 v0) · ln(e1/e0) / ln(e1 v1 / (e0 v0)); 0 where either rate is 0. The spatial cell
        /// of each point is found once, then per energy edge a gather, a four-lane exp and the bin's
        /// integral in four lanes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void IntegrateMany(ReadOnlySpan<double> c1, ReadOnlySpan<double> c2, Span<double> result)
        {
            const int Block = 256;
            var index = new int[4 * Block];
            var weight = new double[4 * Block];
            var l0 = new double[Block]; var l1 = new double[Block];
            var v0 = new double[Block]; var v1 = new double[Block];
            var sum = new double[Block];
            for (int start = 0; start < c1.Length; start += Block)
            {
                int count = Math.Min(Block, c1.Length - start);
                int padded = (count + 3) & ~3;
                for (int j = 0; j < padded; j++)
                {
                    // Lanes past the end and points outside the axes get weight 0: rate 0, integral 0.
                    var w = weight.AsSpan(4 * j, 4);
                    if (j >= count || !Spatial(c1[start + j], _rate._axes.Length == 2 ? 0 : c2[start + j], index.AsSpan(4 * j, 4), w))
                    {
                        w.Clear();
                        index.AsSpan(4 * j, 4).Clear();
                    }
                }
                Gather(0, index, weight, padded, l0, v0);
                Array.Clear(sum, 0, padded);
                for (int k = 1; k < _edges.Length; k++)
                {
                    Gather(k, index, weight, padded, l1, v1);
                    double e0 = _edges[k - 1], e1 = _edges[k], dlnE = _lnEdges[k] - _lnEdges[k - 1];
                    var ve0 = Vector256.Create(e0); var ve1 = Vector256.Create(e1); var vd = Vector256.Create(dlnE);
                    var tolerance = Vector256.Create(1e-8 * dlnE);
                    for (int j = 0; j < padded; j += 4)
                    {
                        var a0 = Vector256.LoadUnsafe(ref v0[j]); var a1 = Vector256.LoadUnsafe(ref v1[j]);
                        var da = vd + (Vector256.LoadUnsafe(ref l1[j]) - Vector256.LoadUnsafe(ref l0[j]));
                        var general = (ve1 * a1 - ve0 * a0) * vd / da;
                        var flat = a0 * ve0 * vd;   // index ≈ 1 (numpy.isclose(val, 0))
                        var value = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(Vector256.Abs(da), tolerance), flat, general);
                        var both = Vector256.Equals(a0, Vector256<double>.Zero) | Vector256.Equals(a1, Vector256<double>.Zero);
                        value = Vector256.ConditionalSelect(both, Vector256<double>.Zero, value);
                        (Vector256.LoadUnsafe(ref sum[j]) + value).StoreUnsafe(ref sum[j]);
                    }
                    (l0, l1) = (l1, l0);
                    (v0, v1) = (v1, v0);
                }
                for (int j = 0; j < count; j++) result[start + j] = sum[j] * _rate._unitToTeV;
            }
        }

        /// <summary>log(rate) and rate at edge k for a block of points (the rate 0 where gammapy's is 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Gather(int k, int[] index, double[] weight, int count, double[] log, double[] value)
        {
            var plane = _planes[k];
            for (int j = 0; j < count; j++)
            {
                int b = 4 * j;
                double l = 0;
                for (int c = 0; c < 4; c++) if (weight[b + c] != 0) l += weight[b + c] * plane[index[b + c]];
                // A point outside the axes has no weight at all: its rate is 0 (log −∞ marks it).
                log[j] = weight[b] == 0 && weight[b + 1] == 0 && weight[b + 2] == 0 && weight[b + 3] == 0 ? double.NegativeInfinity : l;
            }
            var lowest = Vector256.Create(Math.Log(2 * Tiny));
            var valid = _valid[k];
            for (int j = 0; j < count; j += 4)
            {
                var l = Vector256.LoadUnsafe(ref log[j]);
                var e = Sky.VectorMath.Exp(l);
                // gammapy: values at the clip level (≤ 2 tiny) are zero, non-finite ones too (NaN fails the compare).
                var keep = Vector256.GreaterThan(l, lowest) & Vector256.LessThan(l, Vector256.Create(709.0));
                (valid ? Vector256.ConditionalSelect(keep, e, Vector256<double>.Zero) : Vector256<double>.Zero).StoreUnsafe(ref value[j]);
            }
        }

    /// <summary>The rate at energy edge k, per TeV (for tests).</summary>
        public double RateAtEdge(int k, double c1, double c2)
        {
            Span<int> index = stackalloc int[4];
            Span<double> weight = stackalloc double[4];
            return Spatial(c1, c2, index, weight) ? Value(k, index, weight, out _) * _rate._unitToTeV : 0;
        }
    }

    /// <summary>numpy.searchsorted(side="left"): the first index whose node is ≥ x.</summary>
    private static int LowerBound(double[] nodes, double x)
    {
        int lo = 0, hi = nodes.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (nodes[mid] < x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// ∫ rate dE over [e0, e1] (TeV) from the rates at the two edges, as gammapy's <c>trapz_loglog</c>:
    /// a power law through both points; 0 when either is 0.
    /// </summary>
    public static double IntegrateLogLog(double e0, double e1, double v0, double v1)
    {
        double ratio = v0 / v1;
        double logRatio = double.IsNaN(ratio) ? double.NaN : Math.Log(Math.Max(ratio, Tiny));
        double index = -logRatio / Math.Log(e0 / e1);
        if (double.IsNaN(index)) index = double.PositiveInfinity;
        double val = 1 - index;
        if (Math.Abs(val) <= 1e-8) return v0 * e0 * Math.Log(e1 / e0);   // numpy.isclose(val, 0)
        double integral = v0 * e0 / val * (Math.Pow(e1 / e0, val) - 1);
        return double.IsNaN(integral) ? 0 : integral;
    }
}
