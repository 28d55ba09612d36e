using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GammapyTools.Sky;

/// <summary>
/// A 3×3 rotation matrix (row-major). Internal building block of the frame changes:
/// every frame change here (Galactic, offset frames, re-pointing) is one of these.
/// </summary>
internal readonly struct Rotation3
{
    public readonly double M00, M01, M02, M10, M11, M12, M20, M21, M22;

    public Rotation3(double m00, double m01, double m02,
                     double m10, double m11, double m12,
                     double m20, double m21, double m22)
    {
        M00 = m00; M01 = m01; M02 = m02;
        M10 = m10; M11 = m11; M12 = m12;
        M20 = m20; M21 = m21; M22 = m22;
    }

    public static Rotation3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    // The three elementary rotations follow astropy's rotation_matrix convention: they rotate
    // the coordinate axes (passive), so Rz(a) maps the vector at lon=a to lon=0.
    public static Rotation3 AboutX(double deg)
    {
        (double s, double c) = Math.SinCos(deg * Angles.DegToRad);
        return new(1, 0, 0, 0, c, s, 0, -s, c);
    }

    public static Rotation3 AboutY(double deg)
    {
        (double s, double c) = Math.SinCos(deg * Angles.DegToRad);
        return new(c, 0, -s, 0, 1, 0, s, 0, c);
    }

    public static Rotation3 AboutZ(double deg)
    {
        (double s, double c) = Math.SinCos(deg * Angles.DegToRad);
        return new(c, s, 0, -s, c, 0, 0, 0, 1);
    }

    /// <summary>
    /// The rotation taking <paramref name="origin"/> to (lon 0, lat 0) with north up:
    /// exactly astropy's ICRS → SkyOffsetFrame matrix (rotation angle 0).
    /// </summary>
    public static Rotation3 ToOffsetFrame(SkyCoord origin) => AboutY(-origin.Dec) * AboutZ(origin.Ra);

    public Rotation3 Transpose() => new(M00, M10, M20, M01, M11, M21, M02, M12, M22);

    public static Rotation3 operator *(in Rotation3 a, in Rotation3 b) => new(
        a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20,
        a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21,
        a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
        a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20,
        a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21,
        a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
        a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20,
        a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21,
        a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);

    public UnitVector Apply(UnitVector v) => new(
        M00 * v.X + M01 * v.Y + M02 * v.Z,
        M10 * v.X + M11 * v.Y + M12 * v.Z,
        M20 * v.X + M21 * v.Y + M22 * v.Z);

    /// <summary>
    /// Rotates one lon/lat pair (degrees); the scalar core of the bulk kernels. With wrapAt360
    /// lon comes out in [0, 360] (360 only by rounding; callers fix it), else in [-180, 180].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Rotate(double lonDeg, double latDeg, bool wrapAt360, out double lonOut, out double latOut)
    {
        (double sinLon, double cosLon) = Math.SinCos(lonDeg * Angles.DegToRad);
        (double sinLat, double cosLat) = Math.SinCos(latDeg * Angles.DegToRad);
        double x = cosLat * cosLon, y = cosLat * sinLon, z = sinLat;
        double xr = M00 * x + M01 * y + M02 * z;
        double yr = M10 * x + M11 * y + M12 * z;
        double zr = M20 * x + M21 * y + M22 * z;
        double lon = Math.Atan2(yr, xr) * Angles.RadToDeg;
        if (wrapAt360 && lon < 0) lon += 360.0;
        lonOut = lon;
        latOut = Math.Atan2(zr, Math.Sqrt(xr * xr + yr * yr)) * Angles.RadToDeg;
    }

    /// <summary>Bulk rotation of double lon/lat columns. Input and output may be the same spans.</summary>
    /// <remarks>
    /// AggressiveOptimization, and only inlined math inside (<see cref="VectorMath"/>): a command-line
    /// conversion calls this a few times per process, so the tiered JIT's first, unoptimised code would
    /// run (3× slower, measured: 75 vs 22 ms per 1.3 M events).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Rotate(ReadOnlySpan<double> lon, ReadOnlySpan<double> lat, Span<double> lonOut, Span<double> latOut, bool wrapAt360)
    {
        CheckLengths(lon.Length, lat.Length, lonOut.Length, latOut.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= lon.Length - 4; i += 4)
            {
                RotateLanes(Vector256.Create(lon.Slice(i, 4)), Vector256.Create(lat.Slice(i, 4)), wrapAt360,
                    out Vector256<double> l, out Vector256<double> b);
                l.CopyTo(lonOut.Slice(i, 4));
                b.CopyTo(latOut.Slice(i, 4));
            }
        }
        for (; i < lon.Length; i++)
        {
            Rotate(lon[i], lat[i], wrapAt360, out double l, out double b);
            // atan2 returns (-180, 180]; adding 360 to -1e-15 gives exactly 360.
            if (wrapAt360 && l >= 360.0) l = 0.0;
            lonOut[i] = l;
            latOut[i] = b;
        }
    }

    /// <summary>Bulk rotation of float columns, computed in double and rounded once at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Rotate(ReadOnlySpan<float> lon, ReadOnlySpan<float> lat, Span<float> lonOut, Span<float> latOut, bool wrapAt360)
    {
        CheckLengths(lon.Length, lat.Length, lonOut.Length, latOut.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 8 floats per step, widened to two 4-lane doubles.
            for (; i <= lon.Length - 8; i += 8)
            {
                Vector256<float> lon8 = Vector256.Create(lon.Slice(i, 8));
                Vector256<float> lat8 = Vector256.Create(lat.Slice(i, 8));
                RotateLanes(Vector256.WidenLower(lon8), Vector256.WidenLower(lat8), wrapAt360, out var l0, out var b0);
                RotateLanes(Vector256.WidenUpper(lon8), Vector256.WidenUpper(lat8), wrapAt360, out var l1, out var b1);
                Vector256<float> l = Vector256.Narrow(l0, l1);
                if (wrapAt360)
                    l = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(l, Vector256.Create(360f)), Vector256<float>.Zero, l);
                l.CopyTo(lonOut.Slice(i, 8));
                Vector256.Narrow(b0, b1).CopyTo(latOut.Slice(i, 8));
            }
        }
        for (; i < lon.Length; i++)
        {
            Rotate(lon[i], lat[i], wrapAt360, out double l, out double b);
            float lf = (float)l;
            // 359.99999999 rounds to 360f; the nearest float on the circle is then 0.
            if (wrapAt360 && lf >= 360f) lf = 0f;
            lonOut[i] = lf;
            latOut[i] = (float)b;
        }
    }

    /// <summary>The four-lane version of the scalar <see cref="Rotate(double, double, bool, out double, out double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RotateLanes(Vector256<double> lonDeg, Vector256<double> latDeg, bool wrapAt360,
        out Vector256<double> lonOut, out Vector256<double> latOut)
    {
        (Vector256<double> sinLon, Vector256<double> cosLon) = VectorMath.SinCos(lonDeg * Angles.DegToRad);
        (Vector256<double> sinLat, Vector256<double> cosLat) = VectorMath.SinCos(latDeg * Angles.DegToRad);
        Vector256<double> x = cosLat * cosLon, y = cosLat * sinLon, z = sinLat;
        Vector256<double> xr = M00 * x + M01 * y + M02 * z;
        Vector256<double> yr = M10 * x + M11 * y + M12 * z;
        Vector256<double> zr = M20 * x + M21 * y + M22 * z;
        Vector256<double> lon = VectorMath.Atan2(yr, xr) * Angles.RadToDeg;
        if (wrapAt360)
        {
            lon = Vector256.ConditionalSelect(Vector256.LessThan(lon, Vector256<double>.Zero), lon + Vector256.Create(360.0), lon);
            lon = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(lon, Vector256.Create(360.0)), Vector256<double>.Zero, lon);
        }
        lonOut = lon;
        latOut = VectorMath.Atan2(zr, Vector256.Sqrt(xr * xr + yr * yr)) * Angles.RadToDeg;
    }

    private static void CheckLengths(int lon, int lat, int lonOut, int latOut)
    {
        if (lat != lon || lonOut != lon || latOut != lon)
            throw new ArgumentException(
                $"All coordinate spans must have the same length (got {lon}, {lat}, {lonOut}, {latOut}).");
    }
}
