using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GammapyTools.Sky;

/// <summary>
/// Bulk event geometry for scrambling, four events per step (<see cref="Vector256{T}"/> of double).
/// Everything is done on unit vectors: a separation is atan2(|a×b|, a·b) (Vincenty's formula, as
/// <see cref="SphericalGeometry.Separation"/>), a move is a rotation, and angles between directions
/// are products of unit complex numbers instead of atan2/sin/cos chains. Each event is computed on
/// its own and a short tail runs through the same four-lane code (padded), so results do not depend
/// on how the rows are split between threads or blocks.
/// </summary>
/// <remarks>
/// AggressiveOptimization: a command-line conversion calls these a few times per process, too few
/// for the tiered JIT to replace its first, unoptimised code.
/// </remarks>
internal static class SphereKernels
{
    private const int Lanes = 4;

    /// <summary>
    /// Cosine of each (ra, dec)'s separation from <paramref name="center"/> (a dot product, no angle): enough to
    /// tell which events lie in a ring around it, for a fraction of the cost of the separations themselves.
    /// </summary>
    public static void CosSeparations(UnitVector center, ReadOnlySpan<float> ra, ReadOnlySpan<float> dec, Span<double> cos) =>
        CosSeparations<float>(center, ra, dec, cos);

    /// <summary>The same for double columns.</summary>
    public static void CosSeparations(UnitVector center, ReadOnlySpan<double> ra, ReadOnlySpan<double> dec, Span<double> cos) =>
        CosSeparations<double>(center, ra, dec, cos);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CosSeparations<T>(UnitVector center, ReadOnlySpan<T> ra, ReadOnlySpan<T> dec, Span<double> cos) where T : unmanaged
    {
        Same(ra.Length, dec.Length, cos.Length);
        for (int i = 0; i < ra.Length; i += Lanes)
        {
            Unit(Load(ra, i), Load(dec, i), out var x, out var y, out var z);
            Store(center.X * x + center.Y * y + center.Z * z, cos, i);
        }
    }

    /// <summary>cos of angles in degrees.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Cosines(ReadOnlySpan<double> degrees, Span<double> cos)
    {
        Same(degrees.Length, cos.Length);
        for (int i = 0; i < degrees.Length; i += Lanes)
            Store(VectorMath.SinCos(Load(degrees, i) * Angles.DegToRad).Cos, cos, i);
    }

    /// <summary>
    /// Unit vectors (x, y, z) of lon/lat pairs in degrees and, in the same pass, their separations in degrees
    /// from <paramref name="a"/> and from <paramref name="b"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnitVectorsAndSeparations(ReadOnlySpan<double> lon, ReadOnlySpan<double> lat, Span<double> x, Span<double> y, Span<double> z,
        UnitVector a, Span<double> fromA, UnitVector b, Span<double> fromB)
    {
        Same(lon.Length, lat.Length, x.Length, y.Length, z.Length, fromA.Length, fromB.Length);
        for (int i = 0; i < lon.Length; i += Lanes)
        {
            Unit(Load(lon, i), Load(lat, i), out var vx, out var vy, out var vz);
            Store(vx, x, i); Store(vy, y, i); Store(vz, z, i);
            Store(Angle(a.X, a.Y, a.Z, vx, vy, vz), fromA, i);
            Store(Angle(b.X, b.Y, b.Z, vx, vy, vz), fromB, i);
        }
    }

    /// <summary>
    /// Moves events at unit vectors (<paramref name="x0"/>, <paramref name="y0"/>, <paramref name="z0"/>) to
    /// offset <paramref name="rNew"/> (degrees) at position angle <paramref name="pa"/> (degrees east of
    /// north) around the pointing whose offset frame is <paramref name="toFrame"/>
    /// (<see cref="Rotation3.ToOffsetFrame"/>): the new RA/DEC into <paramref name="ra"/>, <paramref name="dec"/> (RA in [0, 360)). Where camera offsets
    /// are given they are replaced by the new sky offset turned by the event's own field rotation: the
    /// angle from its old sky direction (seen from the pointing) to its old camera direction. Events at
    /// the pointing or with a zero camera offset have no field rotation to keep and get none. Where
    /// <paramref name="horizon"/> is given, ALT/AZ move with the event as in <see cref="MoveHorizontal"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MoveAroundPointing(Rotation3 toFrame, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, ReadOnlySpan<double> z0,
        ReadOnlySpan<double> rOld, ReadOnlySpan<double> pa, ReadOnlySpan<double> rNew,
        Span<double> ra, Span<double> dec, Span<double> xoff, Span<double> yoff,
        HorizonPoles? horizon = null, Span<double> alt = default, Span<double> az = default)
    {
        Same(ra.Length, dec.Length, x0.Length, y0.Length, z0.Length, rOld.Length, pa.Length, rNew.Length);
        bool camera = !xoff.IsEmpty;
        if (camera) Same(ra.Length, xoff.Length, yoff.Length);
        if (horizon is not null) Same(ra.Length, alt.Length, az.Length);
        var m = toFrame;
        for (int i = 0; i < ra.Length; i += Lanes)
        {
            // The old direction seen from the pointing: east and north components in its offset frame.
            Vector256<double> x = Load(x0, i), y = Load(y0, i), z = Load(z0, i);
            var east = m.M10 * x + m.M11 * y + m.M12 * z;
            var north = m.M20 * x + m.M21 * y + m.M22 * z;

            var (sinPa, cosPa) = VectorMath.SinCos(Load(pa, i) * Angles.DegToRad);
            var radius = Load(rNew, i);
            var (sinR, cosR) = VectorMath.SinCos(radius * Angles.DegToRad);
            // New position in the offset frame (x to the pointing, y east, z north), back on the sky by the transposed rotation.
            Vector256<double> ly = sinR * sinPa, lz = sinR * cosPa;
            var sx = m.M00 * cosR + m.M10 * ly + m.M20 * lz;
            var sy = m.M01 * cosR + m.M11 * ly + m.M21 * lz;
            var sz = m.M02 * cosR + m.M12 * ly + m.M22 * lz;
            Store(LongitudeDegrees(sy, sx), ra, i);
            Store(VectorMath.Atan2(sz, Vector256.Sqrt(sx * sx + sy * sy)) * Angles.RadToDeg, dec, i);

            if (horizon is not null)
            {
                HorizontalLanes(horizon, x, y, z, sx, sy, sz, Load(alt, i), Load(az, i), out var altNew, out var azNew);
                Store(altNew, alt, i);
                Store(azNew, az, i);
            }
            if (!camera) continue;

            // Directions as unit complex numbers (east = real, north = imaginary): the new camera
            // direction is new sky direction × old camera direction / old sky direction.
            Vector256<double> cx = Load(xoff, i), cy = Load(yoff, i);
            var cn = Vector256.Sqrt(cx * cx + cy * cy);
            var h = Vector256.Sqrt(east * east + north * north);
            var keep = Vector256.GreaterThan(Load(rOld, i), Vector256.Create(1e-9))
                & Vector256.GreaterThan(cn, Vector256<double>.Zero) & Vector256.GreaterThan(h, Vector256<double>.Zero);
            // sky direction at position angle pa: (sin pa, cos pa); old one: (east, north) / h.
            Vector256<double> toCamera = Vector256<double>.One / cn, toSky = Vector256<double>.One / h;
            Vector256<double> dcx = cx * toCamera, dcy = cy * toCamera, ux = east * toSky, uy = north * toSky;
            var tRe = sinPa * dcx - cosPa * dcy;
            var tIm = sinPa * dcy + cosPa * dcx;
            var wRe = tRe * ux + tIm * uy;     // t × conj(u)
            var wIm = tIm * ux - tRe * uy;
            Store(radius * Vector256.ConditionalSelect(keep, wRe, sinPa), xoff, i);
            Store(radius * Vector256.ConditionalSelect(keep, wIm, cosPa), yoff, i);
        }
    }

    /// <summary>
    /// The rigid move of <see cref="HorizontalFrame.Move(SkyCoord, double, double, SkyCoord)"/> for many
    /// events: each event's sky → horizon rotation is fixed by its old position (→ its old ALT/AZ) and
    /// the pole of date (→ the pole's ALT/AZ); the new ALT/AZ are the new sky position through that
    /// rotation. ALT/AZ in place (AZ in [0, 360)); events whose ALT/AZ are not finite or |ALT| &gt; 90 are kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MoveHorizontal(HorizonPoles horizon, ReadOnlySpan<double> ra0, ReadOnlySpan<double> dec0,
        ReadOnlySpan<double> ra1, ReadOnlySpan<double> dec1, Span<double> alt, Span<double> az)
    {
        Same(ra0.Length, dec0.Length, ra1.Length, dec1.Length, alt.Length, az.Length);
        for (int i = 0; i < ra0.Length; i += Lanes)
        {
            Unit(Load(ra0, i), Load(dec0, i), out var e0x, out var e0y, out var e0z);
            Unit(Load(ra1, i), Load(dec1, i), out var e1x, out var e1y, out var e1z);
            HorizontalLanes(horizon, e0x, e0y, e0z, e1x, e1y, e1z, Load(alt, i), Load(az, i), out var altNew, out var azNew);
            Store(altNew, alt, i);
            Store(azNew, az, i);
        }
    }

    /// <summary>
    /// New ALT/AZ of four events moved on the sky from e0 to e1, with two orthonormal frames — (direction,
    /// towards the pole, their cross product) — one on the sky and one in the horizon: the new position
    /// has the same components in both. Unusable old ALT/AZ (not finite, |ALT| &gt; 90) are kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalLanes(HorizonPoles horizon,
        Vector256<double> e0x, Vector256<double> e0y, Vector256<double> e0z, Vector256<double> e1x, Vector256<double> e1y, Vector256<double> e1z,
        Vector256<double> altOld, Vector256<double> azOld, out Vector256<double> altNew, out Vector256<double> azNew)
    {
        // Horizon as lon/lat: x north, y west, z zenith (lon = −AZ, lat = ALT), right-handed like the sky.
        Unit(-azOld, altOld, out var h0x, out var h0y, out var h0z);
        TowardsPole(horizon.Sky, e0x, e0y, e0z, out var a2x, out var a2y, out var a2z);
        TowardsPole(horizon.Horizon, h0x, h0y, h0z, out var b2x, out var b2y, out var b2z);
        // Third axes: direction × towards-pole in each system.
        var a3x = e0y * a2z - e0z * a2y; var a3y = e0z * a2x - e0x * a2z; var a3z = e0x * a2y - e0y * a2x;
        var b3x = h0y * b2z - h0z * b2y; var b3y = h0z * b2x - h0x * b2z; var b3z = h0x * b2y - h0y * b2x;
        var c1 = e1x * e0x + e1y * e0y + e1z * e0z;
        var c2 = e1x * a2x + e1y * a2y + e1z * a2z;
        var c3 = e1x * a3x + e1y * a3y + e1z * a3z;
        var hx = c1 * h0x + c2 * b2x + c3 * b3x;
        var hy = c1 * h0y + c2 * b2y + c3 * b3y;
        var hz = c1 * h0z + c2 * b2z + c3 * b3z;
        var alt = VectorMath.Atan2(hz, Vector256.Sqrt(hx * hx + hy * hy)) * Angles.RadToDeg;
        var az = LongitudeDegrees(-hy, hx);
        // x - x == 0 only for finite x.
        var usable = Vector256.Equals(altOld - altOld, Vector256<double>.Zero) & Vector256.Equals(azOld - azOld, Vector256<double>.Zero)
            & Vector256.LessThanOrEqual(Vector256.Abs(altOld), Vector256.Create(90.0))
            & Vector256.Equals(alt - alt, Vector256<double>.Zero) & Vector256.Equals(az - az, Vector256<double>.Zero);
        altNew = Vector256.ConditionalSelect(usable, alt, altOld);
        azNew = Vector256.ConditionalSelect(usable, az, azOld);
    }

    /// <summary>The unit tangent at <c>e</c> pointing to <paramref name="pole"/> (NaN at the pole itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TowardsPole(UnitVector pole, Vector256<double> ex, Vector256<double> ey, Vector256<double> ez,
        out Vector256<double> tx, out Vector256<double> ty, out Vector256<double> tz)
    {
        var dot = pole.X * ex + pole.Y * ey + pole.Z * ez;
        tx = Vector256.Create(pole.X) - dot * ex; ty = Vector256.Create(pole.Y) - dot * ey; tz = Vector256.Create(pole.Z) - dot * ez;
        var inverse = Vector256<double>.One / Vector256.Sqrt(tx * tx + ty * ty + tz * tz);
        tx *= inverse; ty *= inverse; tz *= inverse;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unit(Vector256<double> lonDeg, Vector256<double> latDeg, out Vector256<double> x, out Vector256<double> y, out Vector256<double> z)
    {
        var (sinLon, cosLon) = VectorMath.SinCos(lonDeg * Angles.DegToRad);
        var (sinLat, cosLat) = VectorMath.SinCos(latDeg * Angles.DegToRad);
        x = cosLat * cosLon; y = cosLat * sinLon; z = sinLat;
    }

    /// <summary>Angle in degrees between a fixed unit vector and four others: atan2(|a×b|, a·b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Angle(double ax, double ay, double az, Vector256<double> bx, Vector256<double> by, Vector256<double> bz)
    {
        var cx = ay * bz - az * by;
        var cy = az * bx - ax * bz;
        var cz = ax * by - ay * bx;
        var dot = ax * bx + ay * by + az * bz;
        return VectorMath.Atan2(Vector256.Sqrt(cx * cx + cy * cy + cz * cz), dot) * Angles.RadToDeg;
    }

    /// <summary>atan2(y, x) in degrees, in [0, 360).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LongitudeDegrees(Vector256<double> y, Vector256<double> x)
    {
        var lon = VectorMath.Atan2(y, x) * Angles.RadToDeg;
        lon = Vector256.ConditionalSelect(Vector256.LessThan(lon, Vector256<double>.Zero), lon + Vector256.Create(360.0), lon);
        // -1e-15 + 360 rounds to exactly 360.
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(lon, Vector256.Create(360.0)), Vector256<double>.Zero, lon);
    }

    /// <summary>Four values from <paramref name="i"/>; past the end the lanes are zero (computed, never stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(ReadOnlySpan<double> s, int i) =>
        i + Lanes <= s.Length ? Vector256.Create(s.Slice(i, Lanes)) : LoadTail(s, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(Span<double> s, int i) => Load((ReadOnlySpan<double>)s, i);

    /// <summary>Four values of a float or double span, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load<T>(ReadOnlySpan<T> s, int i) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Load(MemoryMarshal.Cast<T, double>(s), i);
        if (typeof(T) != typeof(float)) throw new NotSupportedException(typeof(T).Name);
        var f = MemoryMarshal.Cast<T, float>(s);
        var v = i + Lanes <= f.Length ? Vector128.Create(f.Slice(i, Lanes)) : LoadTail(f, i);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> LoadTail(ReadOnlySpan<float> s, int i)
    {
        Span<float> tail = stackalloc float[Lanes];
        tail.Clear();
        s[i..].CopyTo(tail);
        return Vector128.Create((ReadOnlySpan<float>)tail);
    }

    // The tail is its own (not inlined) method: a stackalloc would keep the hot path from being inlined.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> LoadTail(ReadOnlySpan<double> s, int i)
    {
        Span<double> tail = stackalloc double[Lanes];
        tail.Clear();
        s[i..].CopyTo(tail);
        return Vector256.Create((ReadOnlySpan<double>)tail);
    }

    /// <summary>Stores the lanes that exist in <paramref name="s"/> from <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<double> v, Span<double> s, int i)
    {
        if (i + Lanes <= s.Length) v.CopyTo(s.Slice(i, Lanes));
        else StoreTail(v, s, i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreTail(Vector256<double> v, Span<double> s, int i)
    {
        Span<double> tail = stackalloc double[Lanes];
        v.CopyTo(tail);
        tail[..(s.Length - i)].CopyTo(s[i..]);
    }

    private static void Same(params ReadOnlySpan<int> lengths)
    {
        foreach (int n in lengths)
            if (n != lengths[0]) throw new ArgumentException($"all spans must have the same length (got {string.Join(", ", lengths.ToArray())})");
    }
}

/// <summary>The pole of date as a direction on the sky (ICRS) and in the horizon (x north, y west, z zenith), for moving ALT/AZ.</summary>
internal sealed record HorizonPoles(UnitVector Sky, UnitVector Horizon);
