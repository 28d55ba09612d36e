namespace GammapyTools.Simulation;

/// <summary>
/// A 1D distribution given by a density on a fine grid: the CDF at the nodes (trapezoidal
/// integral), piecewise linear in between. Sampling is the exact inverse of that CDF, and
/// <see cref="Probability"/> integrates the same piecewise-constant density, so histograms of
/// samples agree with bin probabilities exactly (no model/sampler mismatch).
/// </summary>
internal sealed class TabulatedDistribution
{
    private readonly double[] _x, _cdf;

    public TabulatedDistribution(Func<double, double> density, double lo, double hi, int nodes = 4096)
    {
        _x = new double[nodes];
        _cdf = new double[nodes];
        double step = (hi - lo) / (nodes - 1), prev = Math.Max(0, density(lo));
        _x[0] = lo;
        for (int i = 1; i < nodes; i++)
        {
            _x[i] = i == nodes - 1 ? hi : lo + i * step;
            double f = Math.Max(0, density(_x[i]));
            _cdf[i] = _cdf[i - 1] + 0.5 * (prev + f) * (_x[i] - _x[i - 1]);
            prev = f;
        }
        Integral = _cdf[^1];
        if (!(Integral > 0)) throw new ArgumentException("the density integrates to zero");
        for (int i = 0; i < nodes; i++) _cdf[i] /= Integral;
        _cdf[^1] = 1.0;
    }

    /// <summary>Integral of the (unnormalised) density over the range.</summary>
    public double Integral { get; }
    public double Min => _x[0];
    public double Max => _x[^1];

    /// <summary>The x with CDF(x) = u, u in [0, 1).</summary>
    public double Sample(double u)
    {
        var cdf = _cdf;
        int lo = 0, hi = cdf.Length - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >> 1;
            if (cdf[mid] <= u) lo = mid; else hi = mid;
        }
        double w = cdf[hi] - cdf[lo];
        double t = w > 0 ? (u - cdf[lo]) / w : 0.0;
        return _x[lo] + t * (_x[hi] - _x[lo]);
    }

    /// <summary>CDF at x (clamped to the range).</summary>
    public double Cdf(double x)
    {
        if (x <= _x[0]) return 0;
        if (x >= _x[^1]) return 1;
        double step = (_x[^1] - _x[0]) / (_x.Length - 1);
        int i = Math.Min((int)((x - _x[0]) / step), _x.Length - 2);
        while (i > 0 && _x[i] > x) i--;
        while (i < _x.Length - 2 && _x[i + 1] < x) i++;
        double t = (x - _x[i]) / (_x[i + 1] - _x[i]);
        return _cdf[i] + t * (_cdf[i + 1] - _cdf[i]);
    }

    /// <summary>Probability of [a, b].</summary>
    public double Probability(double a, double b) => Cdf(b) - Cdf(a);
}
