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
