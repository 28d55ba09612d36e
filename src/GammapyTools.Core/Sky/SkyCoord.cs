using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GammapyTools.Sky;

/// <summary>
/// A sky position in ICRS, degrees. RA is always in [0, 360) and Dec in [-90, 90],
/// so two equal positions compare equal and downstream code never has to re-wrap.
/// </summary>
public readonly record struct SkyCoord
{
    /// <summary>Right ascension in degrees, [0, 360).</summary>
    public double Ra { get; }

    /// <summary>Declination in degrees, [-90, 90].</summary>
    public double Dec { get; }

    /// <exception cref="ArgumentOutOfRangeException">RA not finite, or Dec not finite or outside [-90, 90].</exception>
    public SkyCoord(double ra, double dec)
    {
        if (!double.IsFinite(ra))
            throw new ArgumentOutOfRangeException(nameof(ra), ra, "RA must be a finite number of degrees.");
        if (!double.IsFinite(dec) || dec < -90.0 || dec > 90.0)
            throw new ArgumentOutOfRangeException(nameof(dec), dec, "Dec must be a finite number of degrees in [-90, 90].");
        Ra = Angles.Wrap360(ra);
        Dec = dec;
    }

    public void Deconstruct(out double ra, out double dec)
    {
        ra = Ra;
        dec = Dec;
    }

    /// <summary>The direction as a Cartesian unit vector.</summary>
    public UnitVector ToUnitVector() => UnitVector.FromLonLat(Ra, Dec);

    /// <summary>The position of a direction vector (need not be normalised, must not be zero).</summary>
    public static SkyCoord FromUnitVector(UnitVector v)
    {
        (double lon, double lat) = v.ToLonLat();
        return new SkyCoord(lon, lat);
    }

    /// <summary>Galactic coordinates, using astropy's ICRS → Galactic transformation.</summary>
    public GalacticCoord ToGalactic() => GalacticCoord.FromIcrs(this);

    /// <summary>Angular distance to <paramref name="other"/> in degrees.</summary>
    public double SeparationTo(SkyCoord other) => SphericalGeometry.Separation(this, other);

    /// <summary>Position angle of <paramref name="other"/> seen from here, degrees east of north in [0, 360).</summary>
    public double PositionAngleTo(SkyCoord other) => SphericalGeometry.PositionAngle(this, other);

    /// <summary>The position <paramref name="separation"/> degrees away along position angle <paramref name="positionAngle"/>.</summary>
    public SkyCoord OffsetBy(double separation, double positionAngle) => SphericalGeometry.Offset(this, separation, positionAngle);

    /// <summary>Invariant "ra dec" text with 6 decimals, e.g. "83.633000 22.014500"; <see cref="Parse"/> reads it back.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Ra:F6} {Dec:F6}");

    /// <summary>
    /// Parses "83.633 22.0145", "83.633, 22.0145", "05h34m31.94s +22d00m52.2s",
    /// "05:34:31.94 +22:00:52.2" or "05 34 31.94 +22 00 52.2". A sexagesimal RA without unit letters
    /// is in hours, a sexagesimal Dec in degrees; plain decimal numbers are degrees.
    /// </summary>
    /// <exception cref="FormatException">The text is not a sky position; the message names the text.</exception>
    public static SkyCoord Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SkyCoordParser.TryParse(text, out SkyCoord coord, out string? error))
            return coord;
        throw new FormatException($"Cannot read sky position '{text}': {error}");
    }

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SkyCoord coord)
    {
        if (text is null)
        {
            coord = default;
            return false;
        }
        return SkyCoordParser.TryParse(text, out coord, out _);
    }
}
