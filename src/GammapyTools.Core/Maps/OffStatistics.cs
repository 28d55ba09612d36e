using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// The distribution of significances of safe pixels outside the exclusion regions, as gammapy-tools
/// reads it: a Gaussian fitted by scipy's <c>norm.fit</c> (sample mean and population standard
/// deviation), the share above 3σ and the largest |σ|.
/// </summary>
internal sealed record OffStatistics(int Count, double Mean, double Width, double FractionAbove3, double Max, SkyCoord? MaxPosition)
{
    public static OffStatistics Of(double[] significance, bool[] exclusion, WcsGeometry g)
    {
        int count = 0, above = 0, maxIndex = -1;
        double sum = 0;
        for (int i = 0; i < significance.Length; i++)
        {
            double s = significance[i];
            if (!exclusion[i] || !double.IsFinite(s)) continue;
            count++;
            sum += s;
            if (s > 3) above++;
            if (maxIndex < 0 || Math.Abs(s) > Math.Abs(significance[maxIndex])) maxIndex = i;
        }
        if (count == 0) return new OffStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, null);
        double mean = sum / count, squares = 0;
        for (int i = 0; i < significance.Length; i++)
            if (exclusion[i] && double.IsFinite(significance[i])) squares += (significance[i] - mean) * (significance[i] - mean);
        var position = g.PixelToWorld(maxIndex % g.NX, maxIndex / g.NX);
        return new OffStatistics(count, mean, Math.Sqrt(squares / count), (double)above / count, significance[maxIndex], position);
    }
}
