using System.Globalization;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Simulation;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// Scrambled events get ALT/AZ that fit their new RA/DEC at their time. Checked against astropy's
/// AltAz frame (refraction off: pressure 0) on a simulated VERITAS-like run whose ALT/AZ columns
/// astropy first sets from each event's RA/DEC and TIME (the simulator's own ALT/AZ use a simple
/// sidereal-time model without precession, ~0.2° from astropy's), so that the input is exact.
/// </summary>
public class ScrambleAltAzTests(ITestOutputHelper output)
{
    /// <summary>
    /// Degrees, for moves up to 3°. What the rigid rotation leaves out and astropy has: differential
    /// aberration (κ = 20.5″ times the move in radians: ≤ 1.1″ for 3°) and nutation of the pole
    /// (≤ ~12″ of twist per radian of move: ≤ 0.6″ for 3°); plus float32 columns (≤ 0.05″).
    /// Measured: 0.84″ (2.3e-4°) for moves up to 2.9°. An event whose ALT/AZ were not moved is off by its move (up to 3°).
    /// </summary>
    private const double Tolerance = 5e-4;

    /// <summary>Scrambles a point out of a run converted onto its own pointing (so RA/DEC stay in its frame).</summary>
    private static ConvertResult ScrambleInPlace(Run run, SkyCoord point, double theta, string output) =>
        FovConverter.Convert(run, run, new ConvertOptions
        {
            OutputPath = output,
            ScramblePoints = [$"{point.Ra.ToString("R", CultureInfo.InvariantCulture)} {point.Dec.ToString("R", CultureInfo.InvariantCulture)}"],
            ScrambleTheta = [theta],
            Seed = 5,
        });

    [SkippableFact]
    public void Scrambled_events_have_the_ALT_AZ_of_their_new_position_as_astropy_computes_it()
    {
        Oracles.Require(Oracle.Astropy);
        string dir = TestPaths.NewTempDir();
        var runs = DataStoreSimulator.Create(Path.Combine(dir, "sim"), new SimulationOptions { RunCount = 1, EventsPerRun = 20000, Compress = false, Seed = 11 });
        string filled = Path.Combine(dir, "filled.fits");
        var (code, text) = Oracles.RunPython("altaz_scrambled.py", "fill", runs[0].Path, filled);
        Assert.True(code == 0, text);

        // Scramble around a point 0.75° from the pointing with θ = 0.75°: events within 1.5° of the
        // pointing move (up to ~3° on the sky). The target is the run itself, so RA/DEC stay in its frame.
        var run = Run.FromFile(filled);
        var point = run.Pointing.OffsetBy(0.75, 40);
        var result = ScrambleInPlace(run, point, 0.75, Path.Combine(dir, "scrambled.fits"));
        Assert.Empty(result.Warnings);
        (code, text) = Oracles.RunPython("altaz_scrambled.py", "check", filled, result.OutputPath);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        var values = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double V(string key) => double.Parse(values[Array.IndexOf(values, key) + 1], CultureInfo.InvariantCulture);
        Assert.True(V("moved") > 1000, text);
        Assert.True(V("max_move_deg") > 1.0, "the events must move far for the test to mean something: " + text);
        Assert.True(V("max_err_moved_deg") < Tolerance, text);
        Assert.True(V("max_err_unmoved_deg") < Tolerance, text);
    }

    [Fact]
    public void Without_GEOLAT_the_ALT_AZ_are_kept_with_a_warning()
    {
        string dir = TestPaths.NewTempDir();
        var sim = new SyntheticRun(31, new SkyCoord(150, 30), 5000, 3);
        string path = sim.Write(Path.Combine(dir, "run.fits"));   // no GEOLAT in its header
        var run = Run.FromFile(path);
        var point = run.Pointing.OffsetBy(0.5, 10);
        var result = ScrambleInPlace(run, point, 0.3, Path.Combine(dir, "run_out.fits"));
        Assert.Contains(result.Warnings, w => w.Contains("GEOLAT"));
        using var a = FitsFile.Open(path); using var b = FitsFile.Open(result.OutputPath);
        Assert.Equal(a.ReadTable("EVENTS").Table["ALT"].Get<float>(), b.ReadTable("EVENTS").Table["ALT"].Get<float>());
    }

    [Fact]
    public void A_move_is_a_rotation_about_the_site_that_keeps_separations_from_the_pole()
    {
        // With the pole as the moved-from point's reference, a move along the meridian towards the
        // pole is a move towards the north celestial pole in the horizon too (az 0 at the pole).
        var frame = new HorizontalFrame(31.675, new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var pole = frame.PoleIcrs;
        Assert.True(pole.Dec > 89.8 && pole.Dec < 90.0, pole.ToString());
        var oldSky = pole.OffsetBy(30, 0);
        // An event seen due north at elevation latitude − 30°: moving it to the pole gives (31.675, 0).
        var (alt, az) = frame.Move(oldSky, 31.675 - 30, 0, pole);
        Assert.Equal(31.675, alt, 9);
        Assert.True(Math.Min(az, 360 - az) < 1e-9, az.ToString(CultureInfo.InvariantCulture));
    }
}
