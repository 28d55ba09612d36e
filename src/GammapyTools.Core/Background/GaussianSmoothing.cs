namespace GammapyTools.Background;

/// <summary>
/// Gaussian smoothing with sigma in bins, as scipy.ndimage.gaussian_filter does it (kernel cut at
/// 4 sigma, edges mirrored: d c b a | a b c d | d c b a), which gammapy-tools uses on its models.
/// </summary>
public static class GaussianSmoothing
{
    public static double[] Kernel(double sigma)
    {
        int radius = (int)(4.0 * sigma + 0.5);
        var k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        return k;
    }

    public static double[] Smooth1D(double[] values, double sigma)
    {
        var k = Kernel(sigma);
        int radius = k.Length / 2, n = values.Length;
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = -radius; j <= radius; j++) s += k[j + radius] * values[Reflect(i + j, n)];
            result[i] = s;
        }
        return result;
    }

    public static double[,] Smooth2D(double[,] image, double sigma)
    {
        int nx = image.GetLength(0), ny = image.GetLength(1);
        var tmp = new double[nx, ny];
        for (int x = 0; x < nx; x++)
        {
            var row = Smooth1D(Enumerable.Range(0, ny).Select(y => image[x, y]).ToArray(), sigma);
            for (int y = 0; y < ny; y++) tmp[x, y] = row[y];
        }
        var result = new double[nx, ny];
        for (int y = 0; y < ny; y++)
        {
            var column = Smooth1D(Enumerable.Range(0, nx).Select(x => tmp[x, y]).ToArray(), sigma);
            for (int x = 0; x < nx; x++) result[x, y] = column[x];
        }
        return result;
    }

    /// <summary>scipy's "reflect" mode: the edge sample is repeated (half-sample symmetric).</summary>
    private static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }
}
