using System.Runtime.CompilerServices;
namespace GammapyTools.Maps;

/// <summary>
/// A flat kernel of value 1 on a set of pixel offsets — astropy's Tophat2DKernel and Ring2DKernel
/// sampled at pixel centres and normalised to peak 1, as gammapy uses them — stored as runs of x
/// per row so that a convolution costs two look-ups per run in row prefix sums instead of one
/// multiply-add per kernel pixel.
/// </summary>
internal sealed class DiskKernel
{
    private readonly (int Dy, int X0, int X1)[] _runs;

    private DiskKernel((int, int, int)[] runs, int half) { _runs = runs; HalfSize = half; }

    /// <summary>Half the kernel's side: it spans [−HalfSize, HalfSize] in x and y.</summary>
    public int HalfSize { get; }

    /// <summary>Number of pixels in the kernel.</summary>
    public int PixelCount => _runs.Sum(r => r.X1 - r.X0 + 1);

    /// <summary>Tophat2D(radius): x² + y² ≤ radius² (radius in pixels).</summary>
    public static DiskKernel Tophat(double radius) =>
        Build(OddSize(2 * radius), rr => rr <= radius * radius);

    /// <summary>Ring2D(r_in, width): r_in² ≤ x² + y² ≤ (r_in + width)² (in pixels).</summary>
    public static DiskKernel Ring(double innerRadius, double width)
    {
        double outer = innerRadius + width;
        return Build(OddSize(2 * outer), rr => rr >= innerRadius * innerRadius && rr <= outer * outer);
    }

    /// <summary>astropy's <c>_round_up_to_odd_integer</c>.</summary>
    private static int OddSize(double value)
    {
        int i = (int)Math.Ceiling(value);
        return i % 2 == 0 ? i + 1 : i;
    }

    private static DiskKernel Build(int size, Func<double, bool> inside)
    {
        int half = size / 2;
        var runs = new List<(int, int, int)>();
        for (int dy = -half; dy <= half; dy++)
        {
            int start = int.MinValue;
            for (int dx = -half; dx <= half + 1; dx++)
            {
                bool on = dx <= half && inside((double)dx * dx + (double)dy * dy);
                if (on && start == int.MinValue) start = dx;
                else if (!on && start != int.MinValue) { runs.Add((dy, start, dx - 1)); start = int.MinValue; }
            }
        }
        return new DiskKernel(runs.ToArray(), half);
    }

    /// <summary>
    /// "same"-size convolution with zeros outside the image (scipy.signal.convolve(mode="same");
    /// the kernel is symmetric, so this is also the correlation). Images are row-major nx × ny.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Convolve(ReadOnlySpan<double> image, int nx, int ny)
    {
        // Row prefix sums: prefix[y, x] = Σ image[y, 0..x-1].
        var prefix = new double[ny * (nx + 1)];
        for (int y = 0; y < ny; y++)
        {
            double s = 0;
            int row = y * (nx + 1);
            for (int x = 0; x < nx; x++) { prefix[row + x] = s; s += image[y * nx + x]; }
            prefix[row + nx] = s;
        }
        var result = new double[nx * ny];
        var runs = _runs;
        Parallel.For(0, ny, y =>
        {
            for (int x = 0; x < nx; x++)
            {
                double sum = 0;
                foreach (var (dy, x0, x1) in runs)
                {
                    int yy = y + dy;
                    if ((uint)yy >= (uint)ny) continue;
                    int a = Math.Max(x + x0, 0), b = Math.Min(x + x1 + 1, nx);
                    if (b > a) sum += prefix[yy * (nx + 1) + b] - prefix[yy * (nx + 1) + a];
                }
                result[y * nx + x] = sum;
            }
        });
        return result;
    }
}
