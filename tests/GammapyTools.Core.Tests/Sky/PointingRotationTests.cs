using GammapyTools.Sky;

namespace GammapyTools.Core.Tests.Sky;

public class PointingRotationTests
{
    [Fact]
    public void KeepsSeparationAndPositionAngle_RandomAndEdgePoints()
    {
        var rng = new Random(42);
        var froms = TestPoints.Pointings(rng, 40).ToArray();
        var tos = TestPoints.Pointings(rng, 40).Reverse().ToArray();
        int checkedEvents = 0;
        for (int i = 0; i < froms.Length; i++)
        {
            var rot = new PointingRotation(froms[i], tos[i]);
            for (int k = 0; k < 50; k++)
            {
                // Offsets from 0.01° (below that the position angle itself is ill-defined at 1e-9°)
                // to 6° as in a camera field of view, plus a few far away on the sky.
                double sep = k < 45 ? 0.01 + rng.NextDouble() * 6.0 : rng.NextDouble() * 179.0 + 0.5;
                double pa = rng.NextDouble() * 360.0;
                var ev = SphericalGeometry.Offset(froms[i], sep, pa);
                var moved = rot.Apply(ev);

                double sepBefore = SphericalGeometry.Separation(froms[i], ev);
                double paBefore = SphericalGeometry.PositionAngle(froms[i], ev);
                Assert.Equal(sepBefore, SphericalGeometry.Separation(tos[i], moved), 1e-9);
                Assert.True(TestPoints.AngleDiff(paBefore, SphericalGeometry.PositionAngle(tos[i], moved)) < 1e-9,
                    $"{rot}: event {ev} -> {moved}");
                TestPoints.AssertRa(moved.Ra);
                checkedEvents++;
            }
        }
        Assert.True(checkedEvents > 2000);
    }

    [Fact]
    public void Pointing_MapsToTarget_AndInverseUndoes()
    {
        var rng = new Random(5);
        foreach (var from in TestPoints.Pointings(rng, 20))
        {
            var to = TestPoints.Uniform(rng);
            var rot = new PointingRotation(from, to);
            Assert.True(SphericalGeometry.Separation(rot.Apply(from), to) < 1e-12);
            var ev = SphericalGeometry.Offset(from, 2.0, 30.0);
            Assert.True(SphericalGeometry.Separation(rot.Inverse().Apply(rot.Apply(ev)), ev) < 1e-12);
        }
    }

    [Fact]
    public void BulkDouble_MatchesScalar_RaInRange_AndWorksInPlace()
    {
        var rng = new Random(8);
        var rot = new PointingRotation(new SkyCoord(359.9, 85.0), new SkyCoord(0.05, -30.0));
        const int n = 5000;
        var ra = new double[n];
        var dec = new double[n];
        for (int i = 0; i < n; i++)
        {
            var ev = SphericalGeometry.Offset(rot.From, rng.NextDouble() * 5.0, rng.NextDouble() * 360.0);
            (ra[i], dec[i]) = (ev.Ra, ev.Dec);
        }
        var raOut = new double[n];
        var decOut = new double[n];
        rot.Apply(ra, dec, raOut, decOut);
        for (int i = 0; i < n; i++)
        {
            var expected = rot.Apply(new SkyCoord(ra[i], dec[i]));
            Assert.True(SphericalGeometry.Separation(expected, new SkyCoord(raOut[i], decOut[i])) < 1e-12);
            TestPoints.AssertRa(raOut[i]);
        }
        // In place: the outputs may be the input arrays.
        rot.Apply(ra, dec, ra, dec);
        Assert.Equal(raOut, ra);
        Assert.Equal(decOut, dec);
    }

    [Fact]
    public void BulkFloat_MatchesDoubleToFloatPrecision_RaInRange()
    {
        var rng = new Random(9);
        var rot = new PointingRotation(new SkyCoord(10.0, 60.0), new SkyCoord(0.2, 1.0));
        const int n = 5000;
        var ra = new float[n];
        var dec = new float[n];
        for (int i = 0; i < n; i++)
        {
            var ev = SphericalGeometry.Offset(rot.From, rng.NextDouble() * 5.0, rng.NextDouble() * 360.0);
            (ra[i], dec[i]) = ((float)ev.Ra, (float)ev.Dec);
        }
        var raOut = new float[n];
        var decOut = new float[n];
        rot.Apply(ra, dec, raOut, decOut);
        for (int i = 0; i < n; i++)
        {
            var expected = rot.Apply(new SkyCoord(ra[i], dec[i]));
            Assert.InRange(raOut[i], 0f, 359.99997f);
            // One float rounding of RA near 360 is ~3e-5°.
            Assert.True(SphericalGeometry.Separation(expected, new SkyCoord(raOut[i], decOut[i])) < 5e-5);
        }
    }

    [Fact]
    public void BulkFloat_NeverWrites360()
    {
        // Events just west of RA 0 after rotation: double RA 359.999999999 rounds to 360f.
        // 19 events so that both the 8-wide vector path and the scalar tail see such values.
        var rot = new PointingRotation(new SkyCoord(0, 0), new SkyCoord(0, 0));
        float[] ra = Enumerable.Range(0, 19).Select(i => i % 2 == 0 ? -1e-9f : 359.999999f).ToArray();
        float[] dec = Enumerable.Range(0, 19).Select(i => i * 0.1f).ToArray();
        var raOut = new float[ra.Length];
        var decOut = new float[ra.Length];
        rot.Apply(ra, dec, raOut, decOut);
        Assert.All(raOut, r => Assert.InRange(r, 0f, 359.99997f));
        double[] rad = ra.Select(r => (double)r - 1e-13).ToArray();
        double[] decd = dec.Select(d => (double)d).ToArray();
        rot.Apply(rad, decd, rad, decd);
        Assert.All(rad, r => Assert.True(r >= 0.0 && r < 360.0, $"RA {r}"));
    }

    [Fact]
    public void Bulk_RejectsMismatchedLengths()
    {
        var rot = new PointingRotation(new SkyCoord(0, 0), new SkyCoord(1, 1));
        Assert.Throws<ArgumentException>(() => rot.Apply(new double[3], new double[3], new double[2], new double[3]));
        Assert.Throws<ArgumentException>(() => rot.Apply(new float[3], new float[2], new float[3], new float[3]));
    }

    [Fact]
    public void SkyOffset_RoundTrips_AndBulkAgrees()
    {
        var rng = new Random(12);
        foreach (var pnt in TestPoints.Pointings(rng, 20))
        {
            var ev = SphericalGeometry.Offset(pnt, 0.01 + rng.NextDouble() * 5.0, rng.NextDouble() * 360.0);
            var (lon, lat) = OffsetFrame.SkyOffset(pnt, ev);
            Assert.InRange(lon, -180.0, 180.0);
            // The offset-frame radius is the separation from the pointing.
            Assert.Equal(SphericalGeometry.Separation(pnt, ev),
                SphericalGeometry.Separation(new SkyCoord(0, 0), new SkyCoord(lon, lat)), 1e-9);
            Assert.True(SphericalGeometry.Separation(OffsetFrame.FromSkyOffset(pnt, lon, lat), ev) < 1e-12);

            double[] ra = [ev.Ra], dec = [ev.Dec], l = new double[1], b = new double[1];
            OffsetFrame.SkyOffset(pnt, ra, dec, l, b);
            Assert.Equal(lon, l[0], 1e-12);
            Assert.Equal(lat, b[0], 1e-12);
            OffsetFrame.FromSkyOffset(pnt, l, b, ra, dec);
            Assert.True(SphericalGeometry.Separation(new SkyCoord(ra[0], dec[0]), ev) < 1e-12);
        }
        // East is +lon, north is +lat.
        var p = new SkyCoord(100, 20);
        Assert.True(OffsetFrame.SkyOffset(p, SphericalGeometry.Offset(p, 1, 90)).Lon > 0.99);
        Assert.True(OffsetFrame.SkyOffset(p, SphericalGeometry.Offset(p, 1, 0)).Lat > 0.99);
    }
}
