namespace GammapyTools.Maps;

/// <summary>
/// Significance of ON counts against OFF counts with exposure ratio α: gammapy's
/// WStatCountsStatistic.sqrt_ts (no signal model), which is Li &amp; Ma (1983) eq. 17 with the sign
/// of the excess.
/// </summary>
public static class WStat
{
    /// <summary>TS = 2 [n_on ln((1+α)/α · n_on/(n_on+n_off)) + n_off ln((1+α) n_off/(n_on+n_off))], clipped at 0; 0·ln 0 = 0.</summary>
    public static double TestStatistic(double nOn, double nOff, double alpha)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha) || double.IsNaN(nOn) || double.IsNaN(nOff)) return double.NaN;
        double total = nOn + nOff;
        if (total <= 0) return 0;
        double ts = 0;
        if (nOn > 0) ts += nOn * Math.Log((1 + alpha) / alpha * nOn / total);
        if (nOff > 0) ts += nOff * Math.Log((1 + alpha) * nOff / total);
        return Math.Max(2 * ts, 0);
    }

    /// <summary>sign(n_on − α n_off) · √TS; NaN where α is not a positive number.</summary>
    public static double Significance(double nOn, double nOff, double alpha)
    {
        double ts = TestStatistic(nOn, nOff, alpha);
        if (double.IsNaN(ts)) return double.NaN;
        return Math.Sign(nOn - alpha * nOff) * Math.Sqrt(ts);
    }
}
