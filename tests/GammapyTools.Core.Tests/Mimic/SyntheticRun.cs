using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Sky;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// A small VERITAS-like DL3 file built in the test (the shared simulator is not on main yet):
/// EVENTS with EVENT_ID TIME RA DEC ENERGY ALT AZ Xoff Yoff, GTI, an aeff_2d and optionally a
/// bkg_2d HDU. Background events follow a Rayleigh radial acceptance (σ = 1°, cut at 2.5°), an
/// optional point source has a Gaussian PSF; camera offsets are the sky offsets (east, north)
/// turned by a field rotation that changes linearly with time.
/// </summary>
public sealed record SyntheticRun(long ObsId, SkyCoord Pointing, int BackgroundEvents, ulong Seed)
{
    public SkyCoord? Source { get; init; }
    public int SourceEvents { get; init; }
    public double Psf { get; init; } = 0.05;
    public bool DoubleRaDec { get; init; }
    public bool WithBackground2D { get; init; }
    public string Object { get; init; } = "Synthetic field";
    public double FieldRotationStart { get; init; } = 20.0;   // degrees
    public double FieldRotationRate { get; init; } = 0.01;    // degrees per second
    public const double Duration = 1800;

    public string Write(string path)
    {
        var rng = new MimicRandom(Seed, 12345);
        int n = BackgroundEvents + (Source is null ? 0 : SourceEvents);
        var id = new long[n]; var time = new double[n]; var ra = new double[n]; var dec = new double[n];
        var energy = new float[n]; var alt = new float[n]; var az = new float[n]; var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            SkyCoord pos;
            if (i < BackgroundEvents)
            {
                double r;
                do r = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())); while (r > 2.5);
                pos = Pointing.OffsetBy(r, 360 * rng.NextDouble());
            }
            else
            {
                double r = Psf * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()));
                pos = Source!.Value.OffsetBy(r, 360 * rng.NextDouble());
            }
            id[i] = i + 1;
            time[i] = 4.0e8 + Duration * rng.NextDouble();
            ra[i] = pos.Ra; dec[i] = pos.Dec;
            energy[i] = (float)(0.1 * Math.Pow(1 - rng.NextDouble(), -1 / 1.6));
            alt[i] = (float)(70 + rng.NextDouble()); az[i] = (float)(180 + rng.NextDouble());
            double sep = Pointing.SeparationTo(pos), pa = Pointing.PositionAngleTo(pos);
            double phi = (90 - pa + FieldRotation(time[i] - 4.0e8)) * Angles.DegToRad;
            x[i] = (float)(sep * Math.Cos(phi)); y[i] = (float)(sep * Math.Sin(phi));
        }
        Array raCol = DoubleRaDec ? ra : Array.ConvertAll(ra, v => (float)v);
        Array decCol = DoubleRaDec ? dec : Array.ConvertAll(dec, v => (float)v);
        var events = BinaryTableHdu.Create("EVENTS", new BinaryTable(n,
        [
            FitsColumn.Create("EVENT_ID", id), FitsColumn.Create("TIME", time, unit: "s"),
            FitsColumn.Create("RA", raCol, unit: "deg"), FitsColumn.Create("DEC", decCol, unit: "deg"),
            FitsColumn.Create("ENERGY", energy, unit: "TeV"), FitsColumn.Create("ALT", alt, unit: "deg"),
            FitsColumn.Create("AZ", az, unit: "deg"), FitsColumn.Create("Xoff", x, unit: "deg"), FitsColumn.Create("Yoff", y, unit: "deg"),
        ]));
        var h = events.Header;
        Gadf(h, "EVENTS", null, null);
        h.Set("OBS_ID", ObsId); h.Set("RA_PNT", Pointing.Ra); h.Set("DEC_PNT", Pointing.Dec);
        h.Set("ALT_PNT", 70.5); h.Set("AZ_PNT", 180.5); h.Set("OBJECT", Object);
        h.Set("RA_OBJ", Pointing.Ra); h.Set("DEC_OBJ", Pointing.Dec); h.Set("NSBLEVEL", 4.2); h.Set("N_TELS", 4L);
        h.Set("LIVETIME", Duration * 0.9); h.Set("ONTIME", Duration); h.Set("DEADC", 0.9);
        h.Set("TSTART", 4.0e8); h.Set("TSTOP", 4.0e8 + Duration); h.Set("MJDREFI", 51910L); h.Set("MJDREFF", 7.428703703703703e-4);
        h.Set("DATE-OBS", "2023-01-01T02:00:00"); h.Set("DATE-END", "2023-01-01T02:30:00");
        h.Set("TIMESYS", "TT"); h.Set("TIMEUNIT", "s"); h.Set("TIMEREF", "LOCAL"); h.Set("EQUINOX", 2000.0); h.Set("RADECSYS", "ICRS");
        var gal = Pointing.ToGalactic(); h.Set("GLON_PNT", gal.L); h.Set("GLAT_PNT", gal.B);

        var gti = BinaryTableHdu.Create("GTI", new BinaryTable(1, [FitsColumn.Create("START", new[] { 4.0e8 }, unit: "s"), FitsColumn.Create("STOP", new[] { 4.0e8 + Duration }, unit: "s")]));
        Gadf(gti.Header, "GTI", null, null);
        gti.Header.Set("MJDREFI", 51910L); gti.Header.Set("MJDREFF", 7.428703703703703e-4); gti.Header.Set("TIMESYS", "TT"); gti.Header.Set("TIMEUNIT", "s"); gti.Header.Set("TIMEREF", "LOCAL");

        float[] elo = [0.1f, 1f], ehi = [1f, 10f], tlo = [0f, 1f], thi = [1f, 2.5f];
        var aeff = BinaryTableHdu.Create("EFFECTIVE AREA", new BinaryTable(1,
        [
            FitsColumn.Create("ENERG_LO", elo, 2, "TeV"), FitsColumn.Create("ENERG_HI", ehi, 2, "TeV"),
            FitsColumn.Create("THETA_LO", tlo, 2, "deg"), FitsColumn.Create("THETA_HI", thi, 2, "deg"),
            FitsColumn.Create("EFFAREA", new float[] { 1e4f, 1e5f, 5e3f, 5e4f }, 4, "m2", dim: [2, 2]),
        ]));
        Gadf(aeff.Header, "RESPONSE", "EFF_AREA", "AEFF_2D");
        aeff.Header.Set("OBS_ID", ObsId);
        var hdus = new List<Hdu> { ImageHdu.EmptyPrimary(), events, gti, aeff };
        if (WithBackground2D)
        {
            var bkg = BinaryTableHdu.Create("BACKGROUND", new BinaryTable(1,
            [
                FitsColumn.Create("ENERG_LO", elo, 2, "TeV"), FitsColumn.Create("ENERG_HI", ehi, 2, "TeV"),
                FitsColumn.Create("THETA_LO", tlo, 2, "deg"), FitsColumn.Create("THETA_HI", thi, 2, "deg"),
                FitsColumn.Create("BKG", new float[] { 1e-3f, 5e-4f, 1e-5f, 5e-6f }, 4, "s-1 MeV-1 sr-1", dim: [2, 2]),
            ]));
            Gadf(bkg.Header, "RESPONSE", "BKG", "BKG_2D");
            bkg.Header.Set("OBS_ID", ObsId);
            hdus.Add(bkg);
        }
        FitsWriter.Write(path, hdus, overwrite: true);
        return path;
    }

    public double FieldRotation(double t) => FieldRotationStart + FieldRotationRate * t;

    private static void Gadf(FitsHeader h, string c1, string? c2, string? c4)
    {
        h.Set("HDUCLASS", "GADF"); h.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        h.Set("HDUVERS", "0.3"); h.Set("HDUCLAS1", c1);
        if (c2 is not null) { h.Set("HDUCLAS2", c2); h.Set("HDUCLAS3", "FULL-ENCLOSURE"); }
        if (c4 is not null) h.Set("HDUCLAS4", c4);
    }
}
