using System.Runtime.CompilerServices;
namespace GammapyTools.Maps;

/// <summary>
/// gammapy's RingBackgroundMaker on a stacked image: OFF counts and OFF acceptance are the counts
/// and the background outside the exclusions summed over a ring around each pixel; a pixel without
/// OFF acceptance is no longer safe.
/// </summary>
internal sealed record RingBackground(double[] CountsOff, double[] AcceptanceOff, bool[] Safe)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RingBackground Apply(WcsGeometry g, double[] counts, double[] background, bool[] exclusion, bool[] safe, SkyMapParameters p)
    {
        // gammapy: radii in pixels from the pixel scale (|CDELT|).
        var ring = DiskKernel.Ring(p.RingInnerRadius / g.BinSize, p.RingWidth / g.BinSize);
        int n = g.PixelCount;
        var countsExcluded = new double[n];
        var backgroundExcluded = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!exclusion[i]) continue;
            countsExcluded[i] = counts[i];
            backgroundExcluded[i] = background[i];
        }
        var countsOff = ring.Convolve(countsExcluded, g.NX, g.NY);
        var acceptanceOff = ring.Convolve(backgroundExcluded, g.NX, g.NY);
        var ringSafe = new bool[n];
        for (int i = 0; i < n; i++) ringSafe[i] = safe[i] && acceptanceOff[i] > 0;
        return new RingBackground(countsOff, acceptanceOff, ringSafe);
    }
}
