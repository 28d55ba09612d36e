using System.Collections.Concurrent;
using GammapyTools.Dl3;
using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>
/// The excess at one position a background run would have scrambled: events in the ON circle of
/// radius θ around the source against the events at the same offset from the pointing (the ring
/// |r − d| &lt; θ outside the circle), Li &amp; Ma significance. α is the ratio of the two solid
/// angles: along a ring of constant offset the camera acceptance is the same.
/// </summary>
public sealed record ScrambleExcess(string Source, SkyCoord Position, double Offset, double Theta, int On, int Off, double Alpha, double Significance)
{
    /// <summary>Scrambling needs an annulus outside the source circle: a source within θ of the pointing stays as it is.</summary>
    public bool CanScramble => Offset > Theta;
}

/// <summary>What the scrambling check found in one background run: every position it would scramble and the largest excess.</summary>
public sealed record ScrambleCheck(long ObsId, IReadOnlyList<ScrambleExcess> Positions)
{
    /// <summary>The largest significance over the positions, or null when the run has none in its field of view.</summary>
    public double? MaxSignificance => Positions.Count == 0 ? null : Positions.Max(p => p.Significance);

    /// <summary>One line for HISTORY cards, warnings and -Verbose.</summary>
    public string Describe() => Positions.Count == 0
        ? "no known source in its field of view"
        : string.Join("; ", Positions.Select(p => FormattableString.Invariant(
            $"'{p.Source}' {p.Significance:0.0} sigma (on {p.On}, off {p.Off}, alpha {p.Alpha:0.####}, offset {p.Offset:0.##} deg)")));

    /// <summary>The positions to scramble out of the run's events.</summary>
    public IReadOnlyList<ScrambleSource> Sources => Positions.Where(p => p.CanScramble)
        .Select(p => new ScrambleSource(p.Source, p.Position, p.Theta)).ToList();
}

/// <summary>
/// Candidate hygiene for bright or variable sources (DESIGN.md §5 "Candidate hygiene"): scrambling
/// hides a weak source (≲ 2σ) but moves the photons of a bright one into the ring around it, where
/// they raise the whole ring. So the excess of each position a background run would scramble — its
/// own object and the known catalog sources in its field of view — is measured before the run is
/// used, from its RA/DEC columns only.
/// </summary>
public static class ScrambleChecker
{
    /// <summary>
    /// The positions a background run would scramble: its own object (RA_OBJ/DEC_OBJ) and every
    /// catalog source within <paramref name="fieldRadius"/> of its pointing, each with radius θ;
    /// a catalog source within θ of a position already listed is the same source.
    /// </summary>
    public static IReadOnlyList<ScrambleSource> Positions(Run background, double theta, double fieldRadius, CatalogSet? catalogs)
    {
        var list = new List<ScrambleSource>();
        if (background.RaObj is double ra && background.DecObj is double dec)
        {
            var position = new SkyCoord(ra, dec);
            if (SphericalGeometry.Separation(background.Pointing, position) < fieldRadius)
                list.Add(new ScrambleSource(background.Object ?? $"object of run {background.ObsId}", position, theta));
        }
        if (catalogs is not null)
            foreach (var s in catalogs.SourcesWithin(background.Pointing, fieldRadius))
                if (!list.Any(x => SphericalGeometry.Separation(x.Position, s.Position) < theta))
                    list.Add(new ScrambleSource(s.Name, s.Position, theta));
        return list;
    }

    /// <summary>Measures the excess at each position (reads the run's RA and DEC columns only).</summary>
    public static ScrambleCheck Measure(Run background, IReadOnlyList<ScrambleSource> positions)
    {
        if (positions.Count == 0) return new ScrambleCheck(background.ObsId, []);
        var events = EventList.Read(background, ["RA", "DEC"]);
        double[] ra = events.Column("RA"), dec = events.Column("DEC");
        var vectors = new UnitVector[ra.Length];
        for (int i = 0; i < ra.Length; i++) vectors[i] = UnitVector.FromLonLat(ra[i], dec[i]);
        return new ScrambleCheck(background.ObsId, positions.Select(p => Measure(vectors, background.Pointing, p)).ToList());
    }

    private static ScrambleExcess Measure(UnitVector[] events, SkyCoord pointing, ScrambleSource source)
    {
        double d = SphericalGeometry.Separation(pointing, source.Position), theta = source.Theta;
        // The ring at the source's offset; a source so close to the centre that this ring holds
        // less sky than its circle is compared with the ring just outside it (three times the
        // circle's solid angle): the acceptance changes slowly near the camera centre.
        double inner = Math.Max(0, d - theta), outer = d + theta;
        bool centre = Cap(outer) - Cap(inner) < 2 * Cap(theta);
        if (centre) { inner = outer; outer = AngleOfCap(Cap(inner) + 3 * Cap(theta)); }
        double cosTheta = Math.Cos(theta * Angles.DegToRad);
        double cosInner = Math.Cos(inner * Angles.DegToRad), cosOuter = Math.Cos(outer * Angles.DegToRad);
        var p = pointing.ToUnitVector();
        var s = source.Position.ToUnitVector();
        int on = 0, off = 0;
        foreach (var e in events)
        {
            if (Dot(e, s) > cosTheta) { on++; continue; }
            double c = Dot(e, p);
            if (c < cosInner && c > cosOuter) off++;
        }
        double offArea = Cap(outer) - Cap(inner) - (centre ? 0 : Cap(theta));
        double alpha = Cap(theta) / offArea;
        return new ScrambleExcess(source.Name, source.Position, d, theta, on, off, alpha, LiMa(on, off, alpha));
    }

    private static double Dot(UnitVector a, UnitVector b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;

    /// <summary>Solid angle of a cap of radius <paramref name="radius"/> degrees, over 2π.</summary>
    private static double Cap(double radius) => 1 - Math.Cos(radius * Angles.DegToRad);
    private static double AngleOfCap(double cap) => Math.Acos(1 - cap) * Angles.RadToDeg;

    /// <summary>Li &amp; Ma (1983) eq. 17, signed (negative for a deficit); 0 without counts.</summary>
    public static double LiMa(double on, double off, double alpha)
    {
        if (on <= 0 && off <= 0) return 0;
        double t1 = on > 0 ? on * Math.Log((1 + alpha) / alpha * on / (on + off)) : 0;
        double t2 = off > 0 ? off * Math.Log((1 + alpha) * off / (on + off)) : 0;
        return Math.Sign(on - alpha * off) * Math.Sqrt(2 * Math.Max(0, t1 + t2));
    }
}

/// <summary>
/// Scrambling checks of one campaign: each background run is measured once, however many targets
/// it is a candidate of (thread-safe; the measurement does not depend on the target).
/// </summary>
public sealed class ScrambleCheckCache(double theta, double fieldRadius, CatalogSet? catalogs)
{
    private readonly ConcurrentDictionary<long, Lazy<ScrambleCheck>> _checks = new();

    public double Theta => theta;

    public ScrambleCheck Get(Run background) =>
        _checks.GetOrAdd(background.ObsId, _ => new Lazy<ScrambleCheck>(
            () => ScrambleChecker.Measure(background, ScrambleChecker.Positions(background, theta, fieldRadius, catalogs)))).Value;
}
