using System.Runtime.CompilerServices;
using GammapyTools.Fits;
using GammapyTools.Sky;

namespace GammapyTools.Maps;

/// <summary>
/// A square sky image in the gnomonic (TAN) projection, centred on a position, as gammapy's
/// <c>WcsGeom.create(skydir, binsz, width, frame="icrs", proj="TAN")</c> makes it: NX = NY =
/// round(width / binsz), CRPIX = (N + 1) / 2 (FITS, 1-based), CDELT = (−binsz, +binsz) so that RA
/// grows to the left, CRVAL = the centre, LONPOLE 180. Pixel indices here are 0-based (x, y), and
/// images are stored row by row: value of pixel (x, y) at <c>y * NX + x</c> (numpy's (ny, nx)).
/// </summary>
public sealed class WcsGeometry
{
    public WcsGeometry(SkyCoord center, double width, double binSize)
    {
        if (!(binSize > 0) || !double.IsFinite(binSize)) throw new ArgumentException($"bin size {binSize}° must be positive");
        if (!(width > 0) || !double.IsFinite(width) || width >= 180) throw new ArgumentException($"map width {width}° must be positive and below 180°");
        int n = (int)Math.Round(width / binSize, MidpointRounding.ToEven);   // numpy.rint
        if (n < 1) throw new ArgumentException($"map width {width}° is smaller than one bin of {binSize}°");
        if ((long)n * n > 100_000_000) throw new ArgumentException($"a {n}×{n} map is too large (width {width}°, bins of {binSize}°)");
        Center = center;
        BinSize = binSize;
        NX = NY = n;
        CrPix1 = CrPix2 = (n + 1) / 2.0;
        double a0 = center.Ra * Angles.DegToRad, d0 = center.Dec * Angles.DegToRad;
        (_sinA0, _cosA0) = Math.SinCos(a0);
        (_sinD0, _cosD0) = Math.SinCos(d0);
    }

    private readonly double _sinA0, _cosA0, _sinD0, _cosD0;

    public SkyCoord Center { get; }
    public double BinSize { get; }
    public int NX { get; }
    public int NY { get; }
    public int PixelCount => NX * NY;
    /// <summary>Reference pixel, FITS convention (1-based).</summary>
    public double CrPix1 { get; }
    public double CrPix2 { get; }
    public double CDelt1 => -BinSize;
    public double CDelt2 => BinSize;
    /// <summary>Map width in degrees (NX × bin size).</summary>
    public double Width => NX * BinSize;

    /// <summary>
    /// 0-based pixel coordinates (x, y) of a sky position (pixel centres at integers), or NaN for
    /// a position on the far hemisphere where the projection is undefined.
    /// </summary>
    public (double X, double Y) WorldToPixel(SkyCoord p) => WorldToPixel(p.Ra, p.Dec);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double X, double Y) WorldToPixel(double ra, double dec)
    {
        double a = ra * Angles.DegToRad, d = dec * Angles.DegToRad;
        (double sinD, double cosD) = Math.SinCos(d);
        // cos(a - a0), sin(a - a0) from the cached sines: fewer trig calls per event.
        (double sinA, double cosA) = Math.SinCos(a);
        double sinDa = sinA * _cosA0 - cosA * _sinA0, cosDa = cosA * _cosA0 + sinA * _sinA0;
        double den = _sinD0 * sinD + _cosD0 * cosD * cosDa;
        if (!(den > 0)) return (double.NaN, double.NaN);
        double xi = cosD * sinDa / den;                                // standard coordinates, radians
        double eta = (_cosD0 * sinD - _sinD0 * cosD * cosDa) / den;
        double x = xi * Angles.RadToDeg / CDelt1 + CrPix1 - 1;
        double y = eta * Angles.RadToDeg / CDelt2 + CrPix2 - 1;
        return (x, y);
    }

    /// <summary>The sky position of 0-based pixel coordinates (x, y).</summary>
    public SkyCoord PixelToWorld(double x, double y)
    {
        double xi = (x + 1 - CrPix1) * CDelt1 * Angles.DegToRad;
        double eta = (y + 1 - CrPix2) * CDelt2 * Angles.DegToRad;
        double den = _cosD0 - eta * _sinD0;
        double da = Math.Atan2(xi, den);
        double dec = Math.Atan2(_sinD0 + eta * _cosD0, Math.Sqrt(xi * xi + den * den));
        return new SkyCoord(Angles.Wrap360(Center.Ra + da * Angles.RadToDeg), dec * Angles.RadToDeg);
    }

    /// <summary>
    /// The pixel that contains a position (index = floor(pix + 0.5)), or null when it lies outside
    /// the map. A position on a pixel edge (to 1e-6 pixel) — the centre of a map with an even number
    /// of pixels is a corner — goes to the pixel of higher index, whatever the last bits of the
    /// projection say (gammapy's own pick there follows wcslib's rounding noise).
    /// </summary>
    public (int X, int Y)? PixelOf(SkyCoord p)
    {
        var (x, y) = WorldToPixel(p);
        if (double.IsNaN(x) || double.IsNaN(y)) return null;
        x = Math.Round(x, 6); y = Math.Round(y, 6);
        int ix = (int)Math.Floor(x + 0.5), iy = (int)Math.Floor(y + 0.5);
        return ix >= 0 && ix < NX && iy >= 0 && iy < NY ? (ix, iy) : null;
    }

    /// <summary>Row-major index of pixel (x, y).</summary>
    public int Index(int x, int y) => y * NX + x;

    /// <summary>Sky positions of every pixel centre, row-major.</summary>
    public SkyCoord[] PixelCenters()
    {
        var c = new SkyCoord[PixelCount];
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++) c[Index(x, y)] = PixelToWorld(x, y);
        return c;
    }

    /// <summary>
    /// Solid angle of every pixel in steradians, as gammapy's <c>WcsGeom.solid_angle</c> computes it:
    /// the pixel's four corners on the sky, its area as two planar triangles from the side lengths
    /// (great-circle separations) and the angles between them (position angles).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] SolidAngles()
    {
        var corners = new SkyCoord[(NX + 1) * (NY + 1)];
        for (int y = 0; y <= NY; y++)
            for (int x = 0; x <= NX; x++) corners[y * (NX + 1) + x] = PixelToWorld(x - 0.5, y - 0.5);
        var omega = new double[PixelCount];
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++)
            {
                // gammapy's names: "low_left" = (x, y), "low_right" = (x + 1, y), "up_left" = (x, y + 1).
                SkyCoord ll = corners[y * (NX + 1) + x], lr = corners[y * (NX + 1) + x + 1];
                SkyCoord ul = corners[(y + 1) * (NX + 1) + x], ur = corners[(y + 1) * (NX + 1) + x + 1];
                double low = Rad(ll.SeparationTo(lr)), left = Rad(ll.SeparationTo(ul));
                double up = Rad(ul.SeparationTo(ur)), right = Rad(lr.SeparationTo(ur));
                double angleLowRight = Rad(lr.PositionAngleTo(ur) - lr.PositionAngleTo(ll));
                double angleUpLeft = Rad(ul.PositionAngleTo(ur) - ll.PositionAngleTo(ul));
                omega[Index(x, y)] = Math.Abs(0.5 * low * right * Math.Sin(angleLowRight) + 0.5 * up * left * Math.Sin(angleUpLeft));
            }
        return omega;
    }

    private static double Rad(double deg) => deg * Angles.DegToRad;

    /// <summary>The WCS keywords of this geometry, as gammapy writes them for an image (for FITS export).</summary>
    public void WriteWcs(FitsHeader h)
    {
        h.Set("WCSAXES", 2L, "number of World Coordinate System axes");
        h.Set("CRPIX1", CrPix1, "pixel coordinate of the reference point");
        h.Set("CRPIX2", CrPix2, "pixel coordinate of the reference point");
        h.Set("CDELT1", CDelt1, "[deg] coordinate increment at the reference point");
        h.Set("CDELT2", CDelt2, "[deg] coordinate increment at the reference point");
        h.Set("CUNIT1", "deg", "units of coordinate increment and value");
        h.Set("CUNIT2", "deg", "units of coordinate increment and value");
        h.Set("CTYPE1", "RA---TAN", "right ascension, gnomonic projection");
        h.Set("CTYPE2", "DEC--TAN", "declination, gnomonic projection");
        h.Set("CRVAL1", Center.Ra, "[deg] coordinate value at the reference point");
        h.Set("CRVAL2", Center.Dec, "[deg] coordinate value at the reference point");
        h.Set("LONPOLE", 180.0, "[deg] native longitude of the celestial pole");
        h.Set("LATPOLE", Center.Dec, "[deg] native latitude of the celestial pole");
        h.Set("RADESYS", "ICRS", "equatorial coordinate system");
    }

    public override string ToString() => $"{NX}×{NY} TAN around {Center}, {BinSize}° bins";
}
