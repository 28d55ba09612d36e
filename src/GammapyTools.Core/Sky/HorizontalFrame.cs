namespace GammapyTools.Sky;

/// <summary>
/// Moves an event's horizontal coordinates (ALT/AZ) along with its sky position, for events that
/// were moved on the sky (scrambling). At one instant the sky → horizon transform is a rigid
/// rotation; a rotation is fixed by where it takes two directions: the event itself (its original
/// RA/DEC → its original ALT/AZ, straight from the event list) and the celestial pole of date,
/// which the horizon sees at elevation = site latitude, azimuth 0. So the new ALT/AZ is at the same
/// separation from the old ALT/AZ as the new RA/DEC from the old, at the same angle from the
/// direction to the pole — no sidereal time, longitude or refraction model needed; the event's own
/// ALT/AZ carry all of that (the same idea as Xoff/Yoff, which use the event's own field rotation).
/// </summary>
/// <remarks>
/// What a rigid rotation leaves out, against astropy's AltAz (refraction off): nutation (the pole of
/// date here is the IAU 2006 CIP without it, ≤ ~12″ off) twists the move by ≤ 12″/sin(pole distance),
/// i.e. ≤ 0.4″ for a 1.5° move; differential aberration is ≤ 20.5″ × the move in radians (0.5″ for
/// 1.5°). Measured against astropy: ≤ 0.84″ for moves up to 2.9° (tests: ScrambleAltAzTests).
/// Refraction, where an event list has it, is not a rotation and stays as the old ALT/AZ have it.
/// </remarks>
public sealed class HorizontalFrame
{
    private readonly SkyCoord _poleIcrs;
    private readonly SkyCoord _poleHorizontal;

    /// <param name="latitude">Site latitude (GEOLAT), degrees.</param>
    /// <param name="utc">When the events were taken (the run's start is enough: the pole moves 20″ a year).</param>
    public HorizontalFrame(double latitude, DateTime utc)
    {
        if (!double.IsFinite(latitude) || Math.Abs(latitude) > 90) throw new ArgumentOutOfRangeException(nameof(latitude), "latitude must be in [-90, 90] degrees");
        Latitude = latitude;
        // Julian centuries (TT ≈ UTC + 69 s; irrelevant here) since J2000.0.
        double t = ((utc - new DateTime(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc)).TotalDays) / 36525.0;
        const double arcsec = Math.PI / 180.0 / 3600.0;
        double x = (-0.016617 + 2004.191898 * t - 0.4297829 * t * t) * arcsec;
        double y = (-0.006951 - 0.025896 * t - 22.4072747 * t * t) * arcsec;
        _poleIcrs = SkyCoord.FromUnitVector(new UnitVector(x, y, Math.Sqrt(1 - x * x - y * y)));
        _poleHorizontal = ToLonLat(latitude, 0.0);
    }

    public double Latitude { get; }

    /// <summary>The celestial pole of date in ICRS (for tests).</summary>
    public SkyCoord PoleIcrs => _poleIcrs;

    /// <summary>
    /// The ALT/AZ (degrees; AZ from north through east, in [0, 360)) of an event moved from
    /// <paramref name="oldSky"/> (seen at <paramref name="alt"/>, <paramref name="az"/>) to <paramref name="newSky"/>.
    /// </summary>
    public (double Alt, double Az) Move(SkyCoord oldSky, double alt, double az, SkyCoord newSky)
    {
        if (oldSky == newSky) return (alt, az);
        Span<double> a = [alt], z = [az];
        Move([oldSky.Ra], [oldSky.Dec], [newSky.Ra], [newSky.Dec], a, z);
        return (a[0], z[0]);
    }

    /// <summary>
    /// <see cref="Move(SkyCoord, double, double, SkyCoord)"/> for many events: ALT/AZ in place, from
    /// the events' old RA/DEC to their new ones. Events whose ALT/AZ are not finite or |ALT| &gt; 90 are kept.
    /// </summary>
    /// <remarks>
    /// A rotation that keeps angles takes the direction towards the pole at the old position to the
    /// direction towards the pole's ALT/AZ at the old ALT/AZ; the new position's components along
    /// (old position, towards the pole, their cross product) are therefore the same in both frames.
    /// </remarks>
    public void Move(ReadOnlySpan<double> oldRa, ReadOnlySpan<double> oldDec, ReadOnlySpan<double> newRa, ReadOnlySpan<double> newDec,
        Span<double> alt, Span<double> az) =>
        SphereKernels.MoveHorizontal(Poles, oldRa, oldDec, newRa, newDec, alt, az);

    /// <summary>The pole of date on the sky and in the horizon, for the bulk kernels.</summary>
    internal HorizonPoles Poles => new(_poleIcrs.ToUnitVector(), _poleHorizontal.ToUnitVector());

    /// <summary>
    /// Horizontal coordinates as a right-handed lon/lat pair: x north, y west, z zenith, so
    /// lon = −AZ and lat = ALT (position angles then turn the same way as on the sky).
    /// </summary>
    private static SkyCoord ToLonLat(double alt, double az) => new(Angles.Wrap360(-az), alt);
}
