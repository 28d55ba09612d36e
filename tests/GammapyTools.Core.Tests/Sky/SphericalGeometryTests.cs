using GammapyTools.Sky;

namespace GammapyTools.Core.Tests.Sky;

public class SphericalGeometryTests
{
    [Fact]
    public void Separation_ExactAtZeroAndAntipode()
    {
        var a = new SkyCoord(10.0, 20.0);
        Assert.Equal(0.0, SphericalGeometry.Separation(a, a));
        Assert.Equal(180.0, SphericalGeometry.Separation(a, new SkyCoord(190.0, -20.0)), 1e-12);
        Assert.Equal(180.0, SphericalGeometry.Separation(new SkyCoord(0, 90), new SkyCoord(0, -90)), 1e-12);
        // 1 mas apart: the cosine formula would give 0 or noise here (1e-14 is the rounding of 20 + 1 mas).
        var b = new SkyCoord(10.0, 20.0 + 1.0 / 3.6e6);
        Assert.Equal(1.0 / 3.6e6, SphericalGeometry.Separation(a, b), 1e-14);
    }

    [Fact]
    public void PositionAngle_CardinalDirections()
    {
        var a = new SkyCoord(100.0, 0.0);
        Assert.Equal(0.0, SphericalGeometry.PositionAngle(a, new SkyCoord(100.0, 1.0)), 1e-12);
        Assert.Equal(90.0, SphericalGeometry.PositionAngle(a, new SkyCoord(101.0, 0.0)), 1e-12);
        Assert.Equal(180.0, SphericalGeometry.PositionAngle(a, new SkyCoord(100.0, -1.0)), 1e-12);
        Assert.Equal(270.0, SphericalGeometry.PositionAngle(a, new SkyCoord(99.0, 0.0)), 1e-12);
        // East across RA 0/360.
        Assert.Equal(90.0, SphericalGeometry.PositionAngle(new SkyCoord(359.5, 0.0), new SkyCoord(0.5, 0.0)), 1e-12);
    }

    [Fact]
    public void Offset_IsInverseOfSeparationAndPositionAngle()
    {
        var rng = new Random(3);
        foreach (var from in TestPoints.Pointings(rng, 60))
        {
            for (int k = 0; k < 10; k++)
            {
                double sep = 0.01 + rng.NextDouble() * 170.0;
                double pa = rng.NextDouble() * 360.0;
                var to = SphericalGeometry.Offset(from, sep, pa);
                Assert.Equal(sep, SphericalGeometry.Separation(from, to), 1e-9);
                Assert.True(TestPoints.AngleDiff(pa, SphericalGeometry.PositionAngle(from, to)) < 1e-9,
                    $"from {from} sep {sep} pa {pa}");
            }
        }
    }
}

/// <summary>Shared generators and comparisons for the Sky tests.</summary>
internal static class TestPoints
{
    /// <summary>Edge positions: poles, near-poles, Dec ±85, RA on both sides of 0/360.</summary>
    public static readonly SkyCoord[] Special =
    [
        new(0, 90), new(123.4, 90), new(0, -90), new(250, -90),
        new(10, 89.999), new(190, -89.999), new(359.9999, 85), new(0.0001, -85),
        new(45, 85), new(300, -85), new(359.99, 0), new(0.01, 0), new(180, 0),
        new(83.6331, 22.0145), new(359.999999, 70), new(1e-9, -70),
    ];

    public static SkyCoord Uniform(Random rng) =>
        new(rng.NextDouble() * 360.0, Math.Asin(2.0 * rng.NextDouble() - 1.0) * 180.0 / Math.PI);

    public static IEnumerable<SkyCoord> Pointings(Random rng, int randomCount)
    {
        foreach (var s in Special) yield return s;
        for (int i = 0; i < randomCount; i++) yield return Uniform(rng);
    }

    /// <summary>A longitude in [0, 360): 360 itself is the one value that must never appear.</summary>
    public static void AssertRa(double ra) => Assert.True(ra >= 0.0 && ra < 360.0, $"RA {ra} not in [0, 360)");

    /// <summary>Difference of two angles on the circle, degrees in [0, 180].</summary>
    public static double AngleDiff(double a, double b)
    {
        double d = Math.Abs(a - b) % 360.0;
        return Math.Min(d, 360.0 - d);
    }
}
