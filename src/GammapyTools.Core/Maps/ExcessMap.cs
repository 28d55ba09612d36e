using System.Runtime.CompilerServices;
namespace GammapyTools.Maps;

/// <summary>
/// gammapy's ExcessMapEstimator on the ring's ON/OFF image (one energy bin, correlate_off=False):
/// ON counts and ON acceptance correlated with a top-hat of radius θ, α = ON acceptance / OFF
/// acceptance, excess = n_on − α n_off, significance = WStat's signed √TS. NaN outside the safe mask.
/// </summary>
internal sealed record ExcessMap(double[] CountsOn, double[] Alpha, double[] BackgroundOn, double[] Excess, double[] Significance)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ExcessMap Estimate(WcsGeometry g, double[] counts, double[] background, RingBackground ring, SkyMapParameters p)
    {
        int n = g.PixelCount;
        var safe = ring.Safe;
        var countsMasked = new double[n];
        var acceptanceMasked = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!safe[i]) continue;
            countsMasked[i] = counts[i];
            acceptanceMasked[i] = background[i];
        }
        var tophat = DiskKernel.Tophat(p.Theta / g.BinSize);
        var onCounts = tophat.Convolve(countsMasked, g.NX, g.NY);
        var onAcceptance = tophat.Convolve(acceptanceMasked, g.NX, g.NY);

        var nOnMap = new double[n];
        var alphaMap = new double[n];
        var bkgMap = new double[n];
        var excessMap = new double[n];
        var sigMap = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!safe[i])
            {
                nOnMap[i] = alphaMap[i] = bkgMap[i] = excessMap[i] = sigMap[i] = double.NaN;
                continue;
            }
            double nOn = Math.Round(onCounts[i], MidpointRounding.ToEven);   // numpy.rint
            double nOff = ring.CountsOff[i];
            // The estimator re-bins the ON/OFF dataset in energy and rebuilds the OFF acceptance as
            // acceptance × n_off / (α n_off): where n_off = 0 that is 0/0, and α and σ are undefined.
            double alpha = nOff > 0 ? onAcceptance[i] / ring.AcceptanceOff[i] : double.NaN;
            nOnMap[i] = nOn;
            alphaMap[i] = alpha;
            bkgMap[i] = alpha * nOff;
            excessMap[i] = nOn - alpha * nOff;
            sigMap[i] = WStat.Significance(nOn, nOff, alpha);
        }
        return new ExcessMap(nOnMap, alphaMap, bkgMap, excessMap, sigMap);
    }
}
