using GammapyTools.Sky;

namespace GammapyTools.Core.Tests.Sky;

/// <summary>
/// The four-lane scrambling kernels against the one-event formulas of <see cref="SphericalGeometry"/>
/// (Vincenty separation, position angle, directional offset) and the field-rotation formula the
/// scrambler used before it had kernels: rho = atan2(yoff, xoff) − (90° − old position angle).
/// </summary>
public class SphereKernelsTests
{
    private const double Tolerance = 1e-9;   // degrees

    /// <summary>Events within 3° of a pointing, at all lengths that leave a tail of 0–3 lanes.</summary>
    public static TheoryData<double, double, int> Pointings => new()
    {
        { 83.63, 22.01, 1 }, { 83.63, 22.01, 7 }, { 329.7, -30.2, 1001 }, { 0.2, 0.0, 402 }, { 359.9, 45.0, 403 },
        { 12.0, 89.5, 64 }, { 200.0, -89.9, 65 },   // next to the poles: RA wraps inside the field of view
    };

    private static (double[] Ra, double[] Dec) Around(SkyCoord pointing, int n, int seed, double maxOffset = 3.0)
    {
        var rng = new Random(seed);
        var ra = new double[n];
        var dec = new double[n];
        for (int i = 0; i < n; i++)
        {
            var c = pointing.OffsetBy(maxOffset * Math.Sqrt(rng.NextDouble()), 360 * rng.NextDouble());
            ra[i] = c.Ra; dec[i] = c.Dec;
        }
        return (ra, dec);
    }

    [Theory]
    [MemberData(nameof(Pointings))]
    public void Cosines_of_separations_are_those_of_vincenty_separations(double raP, double decP, int n)
    {
        var pointing = new SkyCoord(raP, decP);
        var (ra, dec) = Around(pointing, n, n);
        var cos = new double[n];
        SphereKernels.CosSeparations(pointing.ToUnitVector(), ra, dec, cos);
        var cosFloat = new double[n];
        SphereKernels.CosSeparations(pointing.ToUnitVector(), Array.ConvertAll(ra, x => (float)x), Array.ConvertAll(dec, x => (float)x), cosFloat);
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Cos(SphericalGeometry.Separation(pointing, new SkyCoord(ra[i], dec[i])) * Angles.DegToRad);
            Assert.True(Math.Abs(cos[i] - expected) < 1e-15, $"event {i}: {cos[i]} vs {expected}");
            var f = new SkyCoord((float)ra[i], (float)dec[i]);
            Assert.True(Math.Abs(cosFloat[i] - Math.Cos(SphericalGeometry.Separation(pointing, f) * Angles.DegToRad)) < 1e-15, $"float event {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Pointings))]
    public void A_move_puts_the_event_at_the_drawn_offset_and_keeps_its_field_rotation(double raP, double decP, int n)
    {
        var pointing = new SkyCoord(raP, decP);
        var (ra, dec) = Around(pointing, n, 7 * n);
        var rng = new Random(n);
        double[] rOld = new double[n], pa = new double[n], rNew = new double[n], xoff = new double[n], yoff = new double[n];
        double[] expectedX = new double[n], expectedY = new double[n];
        for (int i = 0; i < n; i++)
        {
            var old = new SkyCoord(ra[i], dec[i]);
            rOld[i] = pointing.SeparationTo(old);
            pa[i] = 360 * rng.NextDouble();
            rNew[i] = 2.5 * rng.NextDouble();
            // A camera offset turned from the sky offset by an event's own field rotation (one event with none).
            double rotation = i == 0 ? 0 : 360 * rng.NextDouble();
            double paOld = pointing.PositionAngleTo(old);
            double phiOld = (90 - paOld + rotation) * Angles.DegToRad;
            xoff[i] = i == 0 ? 0 : rOld[i] * Math.Cos(phiOld);
            yoff[i] = i == 0 ? 0 : rOld[i] * Math.Sin(phiOld);
            double rho = rOld[i] > 1e-9 && (xoff[i] != 0 || yoff[i] != 0) ? Math.Atan2(yoff[i], xoff[i]) - (90.0 - paOld) * Angles.DegToRad : 0.0;
            double phi = (90.0 - pa[i]) * Angles.DegToRad + rho;
            expectedX[i] = rNew[i] * Math.Cos(phi);
            expectedY[i] = rNew[i] * Math.Sin(phi);
        }
        double[] ra1 = new double[n], dec1 = new double[n], x = new double[n], y = new double[n], z = new double[n];
        SphereKernels.UnitVectorsAndSeparations(ra, dec, x, y, z, pointing.ToUnitVector(), new double[n], pointing.ToUnitVector(), new double[n]);
        SphereKernels.MoveAroundPointing(Rotation3.ToOffsetFrame(pointing), x, y, z, rOld, pa, rNew, ra1, dec1, xoff, yoff);
        for (int i = 0; i < n; i++)
        {
            var expected = pointing.OffsetBy(rNew[i], pa[i]);
            var moved = new SkyCoord(ra1[i], dec1[i]);
            Assert.True(moved.SeparationTo(expected) < Tolerance, $"event {i}: {moved} vs {expected}");
            Assert.InRange(ra1[i], 0.0, 360.0 - 1e-300);
            Assert.True(Math.Abs(xoff[i] - expectedX[i]) < Tolerance && Math.Abs(yoff[i] - expectedY[i]) < Tolerance,
                $"event {i}: camera ({xoff[i]}, {yoff[i]}) vs ({expectedX[i]}, {expectedY[i]})");
        }
    }

    [Theory]
    [MemberData(nameof(Pointings))]
    public void Unit_vectors_and_their_separations_are_those_of_the_one_event_formulas(double raP, double decP, int n)
    {
        var pointing = new SkyCoord(raP, decP);
        var (ra, dec) = Around(pointing, n, 3 * n);
        var other = pointing.OffsetBy(1.5, 120);
        double[] x = new double[n], y = new double[n], z = new double[n], sep = new double[n], fromOther = new double[n];
        SphereKernels.UnitVectorsAndSeparations(ra, dec, x, y, z, pointing.ToUnitVector(), sep, other.ToUnitVector(), fromOther);
        for (int i = 0; i < n; i++)
        {
            var e = new SkyCoord(ra[i], dec[i]);
            var u = e.ToUnitVector();
            Assert.True(Math.Abs(x[i] - u.X) < 1e-15 && Math.Abs(y[i] - u.Y) < 1e-15 && Math.Abs(z[i] - u.Z) < 1e-15, $"event {i}: unit vector");
            Assert.True(Math.Abs(sep[i] - SphericalGeometry.Separation(pointing, e)) < Tolerance, $"event {i}: {sep[i]}");
            Assert.True(Math.Abs(fromOther[i] - SphericalGeometry.Separation(other, e)) < Tolerance, $"event {i}: {fromOther[i]}");
        }
    }

    [Fact]
    public void Results_do_not_depend_on_how_the_rows_are_split()
    {
        var pointing = new SkyCoord(150, 30);
        var (ra, dec) = Around(pointing, 1003, 3);
        var whole = new double[ra.Length];
        SphereKernels.CosSeparations(pointing.ToUnitVector(), ra, dec, whole);
        var pieces = new double[ra.Length];
        for (int start = 0; start < ra.Length; start += 5)
        {
            int length = Math.Min(5, ra.Length - start);
            SphereKernels.CosSeparations(pointing.ToUnitVector(), ra.AsSpan(start, length), dec.AsSpan(start, length), pieces.AsSpan(start, length));
        }
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void The_bulk_horizontal_move_keeps_separations_and_leaves_unusable_rows()
    {
        var frame = new HorizontalFrame(31.675, new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var pointing = new SkyCoord(83.63, 22.01);
        var (ra0, dec0) = Around(pointing, 9, 1);
        var (ra1, dec1) = Around(pointing, 9, 2);
        double[] alt = [50, 60, 70, 80, 89.99, double.NaN, 95, 40, 30], az = [10, 100, 200, 300, 359.99, 5, 5, double.PositiveInfinity, 0];
        double[] bulkAlt = (double[])alt.Clone(), bulkAz = (double[])az.Clone();
        frame.Move(ra0, dec0, ra1, dec1, bulkAlt, bulkAz);
        for (int i = 0; i < alt.Length; i++)
        {
            bool usable = double.IsFinite(alt[i]) && double.IsFinite(az[i]) && Math.Abs(alt[i]) <= 90;
            if (!usable) { Assert.Equal(alt[i], bulkAlt[i]); Assert.Equal(az[i], bulkAz[i]); continue; }
            var (a, z) = frame.Move(new SkyCoord(ra0[i], dec0[i]), alt[i], az[i], new SkyCoord(ra1[i], dec1[i]));
            Assert.Equal(a, bulkAlt[i], 12);
            Assert.Equal(z, bulkAz[i], 12);
            // A rotation keeps separations: the move on the sky equals the move in the horizon.
            double skyMove = new SkyCoord(ra0[i], dec0[i]).SeparationTo(new SkyCoord(ra1[i], dec1[i]));
            double horizonMove = new SkyCoord(Angles.Wrap360(-az[i]), alt[i]).SeparationTo(new SkyCoord(Angles.Wrap360(-bulkAz[i]), bulkAlt[i]));
            Assert.True(Math.Abs(skyMove - horizonMove) < Tolerance, $"row {i}: {skyMove} vs {horizonMove}");
        }
    }
}
