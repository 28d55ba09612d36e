using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GammapyTools.Sky;

/// <summary>
/// Four-lane double math for the bulk kernels. .NET has vectorised SinCos but no vectorised
/// Atan2, so Atan2 is written here (Cephes' atan, ~1e-16 relative), which is what makes
/// the re-pointing kernel several times faster than one Math.Atan2 call per coordinate.
/// </summary>
internal static class VectorMath
{
    // Cephes atan.c rational approximation of atan(x)/x - 1 on |x| <= 0.66.
    private const double P0 = -8.750608600031904122785E-1, P1 = -1.615753718733365076637E1,
        P2 = -7.500855792314704667340E1, P3 = -1.228866684490136173410E2, P4 = -6.485021904942025371773E1;
    private const double Q0 = 2.485846490142306297962E1, Q1 = 1.650270098316988542046E2,
        Q2 = 4.328810604912902668951E2, Q3 = 4.853903996359136964868E2, Q4 = 1.945506571482613964425E2;

    /// <summary>atan2(y, x) in radians, (-π, π], for each lane. Both zero gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Atan2(Vector256<double> y, Vector256<double> x)
    {
        Vector256<double> ax = Vector256.Abs(x), ay = Vector256.Abs(y);
        Vector256<double> hi = Vector256.Max(ax, ay), lo = Vector256.Min(ax, ay);

        // Reduce to t = lo/hi in [0, 1]; above 0.66 use atan(t) = π/4 + atan((lo-hi)/(lo+hi)),
        // computed from lo and hi directly to avoid a second rounding.
        Vector256<double> big = Vector256.GreaterThan(lo, hi * 0.66);
        Vector256<double> num = Vector256.ConditionalSelect(big, lo - hi, lo);
        Vector256<double> den = Vector256.ConditionalSelect(big, lo + hi, hi);
        Vector256<double> t = num / den;
        t = Vector256.ConditionalSelect(Vector256.Equals(den, Vector256<double>.Zero), Vector256<double>.Zero, t);

        Vector256<double> z = t * t;
        Vector256<double> p = (((P0 * z + Vector256.Create(P1)) * z + Vector256.Create(P2)) * z + Vector256.Create(P3)) * z + Vector256.Create(P4);
        Vector256<double> q = ((((z + Vector256.Create(Q0)) * z + Vector256.Create(Q1)) * z + Vector256.Create(Q2)) * z + Vector256.Create(Q3)) * z + Vector256.Create(Q4);
        Vector256<double> r = t + t * (z * p / q);
        r += Vector256.ConditionalSelect(big, Vector256.Create(Math.PI / 4), Vector256<double>.Zero);

        // Undo the reductions: swap of x and y, then the quadrant, then the sign of y.
        r = Vector256.ConditionalSelect(Vector256.GreaterThan(ay, ax), Vector256.Create(Math.PI / 2) - r, r);
        r = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(Math.PI) - r, r);
        return Vector256.ConditionalSelect(Vector256.LessThan(y, Vector256<double>.Zero), -r, r);
    }
}
