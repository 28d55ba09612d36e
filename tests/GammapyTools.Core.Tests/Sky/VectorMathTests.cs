using System.Runtime.Intrinsics;
using GammapyTools.Sky;

namespace GammapyTools.Core.Tests.Sky;

public class VectorMathTests
{
    [Fact]
    public void Atan2_MatchesMathAtan2()
    {
        var rng = new Random(21);
        var ys = new List<double> { 0, 1, -1, 1e-300, -1e-300, 1, 1, -1, 0.66, 0.6600000001, 1e-17, 3 };
        var xs = new List<double> { 1, 0, 0, -1, -1, 1, -1, -1, 1, 1, -1, 3 };
        for (int i = 0; i < 40000; i++)
        {
            double scale = Math.Pow(10, rng.Next(-8, 8));
            ys.Add((rng.NextDouble() * 2 - 1) * scale);
            xs.Add(rng.NextDouble() * 2 - 1);
        }
        double worst = 0;
        for (int i = 0; i + 4 <= ys.Count; i += 4)
        {
            var r = VectorMath.Atan2(Vector256.Create(ys.GetRange(i, 4).ToArray()), Vector256.Create(xs.GetRange(i, 4).ToArray()));
            for (int k = 0; k < 4; k++)
            {
                double expected = Math.Atan2(ys[i + k], xs[i + k]);
                double err = Math.Abs(r[k] - expected);
                worst = Math.Max(worst, err / Math.Max(Math.Abs(expected), 1e-300));
                Assert.True(err <= 4e-16 * Math.Max(Math.Abs(expected), 1e-300) + 1e-300,
                    $"atan2({ys[i + k]}, {xs[i + k]}) = {r[k]}, expected {expected}");
            }
        }
        Assert.True(worst < 4e-16);
    }

    [Fact]
    public void SinCos_MatchesMathSinCos()
    {
        // Every octant boundary and its neighbours, then random angles up to ±20 rad (the kernels use up to a few times 2π).
        // Beyond ~1e8 rad (damaged files: a fuzzed RA of 1e30 degrees) the lanes fall back to Math.SinCos.
        var xs = new List<double> { 0, -0.0, 1e-300, -1e-300, 1e-8, Math.PI, -Math.PI, 2 * Math.PI, 1e6, -1e6, 9.9e7, 1.1e8, 1e30, -1e300, double.MaxValue };
        for (int k = -64; k <= 64; k++)
            foreach (double d in new[] { -1e-12, 0, 1e-12 }) xs.Add(k * Math.PI / 4 + d);
        var rng = new Random(5);
        for (int i = 0; i < 40000; i++) xs.Add((rng.NextDouble() * 2 - 1) * 20);
        while (xs.Count % 4 != 0) xs.Add(1);
        for (int i = 0; i < xs.Count; i += 4)
        {
            var (sin, cos) = VectorMath.SinCos(Vector256.Create(xs.GetRange(i, 4).ToArray()));
            for (int k = 0; k < 4; k++)
            {
                var (s, c) = Math.SinCos(xs[i + k]);
                // Absolute 2e-16 (near the zeros, relative error is set by the argument's own rounding) plus 2 ulp.
                Assert.True(Math.Abs(sin[k] - s) <= 2e-16 + 4.5e-16 * Math.Abs(s), $"sin({xs[i + k]:R}) = {sin[k]:R}, expected {s:R}");
                Assert.True(Math.Abs(cos[k] - c) <= 2e-16 + 4.5e-16 * Math.Abs(c), $"cos({xs[i + k]:R}) = {cos[k]:R}, expected {c:R}");
            }
        }
    }

    [Fact]
    public void BulkKernels_KeepOffsets_NearPolesAndRaZero()
    {
        // The property test of PointingRotationTests, through the vectorised bulk path.
        var rng = new Random(77);
        foreach (var from in TestPoints.Special)
        {
            foreach (var to in TestPoints.Special)
            {
                var rot = new PointingRotation(from, to);
                const int n = 64;
                var ra = new double[n];
                var dec = new double[n];
                var sep = new double[n];
                var pa = new double[n];
                for (int i = 0; i < n; i++)
                {
                    var ev = SphericalGeometry.Offset(from, 0.01 + rng.NextDouble() * 6.0, rng.NextDouble() * 360.0);
                    (ra[i], dec[i]) = (ev.Ra, ev.Dec);
                    sep[i] = SphericalGeometry.Separation(from, ev);
                    pa[i] = SphericalGeometry.PositionAngle(from, ev);
                }
                rot.Apply(ra, dec, ra, dec);
                for (int i = 0; i < n; i++)
                {
                    TestPoints.AssertRa(ra[i]);
                    var moved = new SkyCoord(ra[i], dec[i]);
                    Assert.Equal(sep[i], SphericalGeometry.Separation(to, moved), 1e-9);
                    Assert.True(TestPoints.AngleDiff(pa[i], SphericalGeometry.PositionAngle(to, moved)) < 1e-9);
                }
            }
        }
    }
}
