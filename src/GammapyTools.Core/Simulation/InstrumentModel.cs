using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Simulation;

/// <summary>
/// The simple, smooth VERITAS-like instrument of the simulation: radial camera acceptance,
/// zenith-dependent energy threshold, the true background model (bkg_2d) and the effective-area
/// and energy-dispersion HDUs written with every run.
/// </summary>
public static class InstrumentModel
{
    /// <summary>Largest simulated event offset from the pointing, degrees.</summary>
    public const double MaxOffset = 2.5;
    /// <summary>Width of the Gaussian part of the radial acceptance, degrees.</summary>
    public const double AcceptanceSigma = 1.0;
    /// <summary>Energy range of simulated (reconstructed) energies, TeV.</summary>
    public const double EnergyMin = 0.05, EnergyMax = 100.0;

    private const double Deg = Math.PI / 180.0;

    /// <summary>Relative camera acceptance at an offset (1 at the centre, 0 from <see cref="MaxOffset"/> on).</summary>
    public static double Acceptance(double offset)
    {
        if (offset >= MaxOffset || offset < 0) return 0;
        double x = offset / MaxOffset;
        return Math.Exp(-offset * offset / (2 * AcceptanceSigma * AcceptanceSigma)) * (1 - x * x);
    }

    /// <summary>Energy threshold in TeV at a zenith angle in degrees (rises as cos(z)^-2.5).</summary>
    public static double EnergyThreshold(double zenith) => 0.08 * Math.Pow(Math.Cos(zenith * Deg), -2.5);

    /// <summary>Energy edges (TeV) of the BACKGROUND HDU: 20 log bins from 0.05 to 100 TeV.</summary>
    public static double[] BackgroundEnergyEdges() => LogEdges(EnergyMin, EnergyMax, 20);

    /// <summary>Offset edges (deg) of the BACKGROUND HDU: 0 to 3° in 0.25° (zero beyond 2.5°).</summary>
    public static double[] BackgroundOffsetEdges() => Enumerable.Range(0, 13).Select(i => 0.25 * i).ToArray();

    internal static readonly TabulatedDistribution OffsetDistribution =
        new(theta => Acceptance(theta) * Math.Sin(theta * Deg), 0, MaxOffset);

    /// <summary>Distribution of ln(E/TeV) for a power law of the given index times a smooth threshold turn-on.</summary>
    internal static TabulatedDistribution EnergyDistribution(double threshold, double index) =>
        new(lnE =>
        {
            double e = Math.Exp(lnE), r = threshold / e, r2 = r * r;
            return Math.Pow(e, 1 - index) / (1 + r2 * r2);
        }, Math.Log(EnergyMin), Math.Log(EnergyMax));

    /// <summary>
    /// The true background rate (s-1 MeV-1 sr-1) of a run whose total background event rate is
    /// <paramref name="rate"/> s-1: each bin holds the bin average of the distribution the events
    /// are drawn from, so counts ≈ BKG × livetime × solid angle × energy width.
    /// </summary>
    public static Background2D TrueBackground(double rate, double zenith, double index) =>
        TrueBackground(rate, EnergyDistribution(EnergyThreshold(zenith), index));

    internal static Background2D TrueBackground(double rate, TabulatedDistribution energy)
    {
        double[] eEdges = BackgroundEnergyEdges(), oEdges = BackgroundOffsetEdges();
        var data = new double[eEdges.Length - 1, oEdges.Length - 1];
        for (int o = 0; o < oEdges.Length - 1; o++)
        {
            double pO = OffsetDistribution.Probability(oEdges[o], oEdges[o + 1]);
            double omega = 2 * Math.PI * (Math.Cos(oEdges[o] * Deg) - Math.Cos(oEdges[o + 1] * Deg));
            for (int e = 0; e < eEdges.Length - 1; e++)
            {
                double pE = energy.Probability(Math.Log(eEdges[e]), Math.Log(eEdges[e + 1]));
                double widthMeV = (eEdges[e + 1] - eEdges[e]) * 1e6;
                data[e, o] = rate * pE * pO / (widthMeV * omega);
            }
        }
        return new Background2D(eEdges, oEdges, data);
    }

    private static double[] LogEdges(double lo, double hi, int n)
    {
        var edges = new double[n + 1];
        for (int i = 0; i <= n; i++) edges[i] = lo * Math.Pow(hi / lo, (double)i / n);
        edges[0] = lo; edges[n] = hi;
        return edges;
    }

    private static float[] F(IEnumerable<double> v) => v.Select(x => (float)x).ToArray();

    /// <summary>Full-enclosure effective area (aeff_2d) in m²: a smooth turn-on at the threshold and a Gaussian fall with offset.</summary>
    public static BinaryTableHdu EffectiveAreaHdu(double zenith)
    {
        double eth = EnergyThreshold(zenith);
        double[] eEdges = LogEdges(0.01, 300, 45), oEdges = Enumerable.Range(0, 13).Select(i => 0.25 * i).ToArray();
        int ne = eEdges.Length - 1, no = oEdges.Length - 1;
        var area = new float[ne * no];
        for (int o = 0; o < no; o++)
        {
            double theta = 0.5 * (oEdges[o] + oEdges[o + 1]);
            for (int e = 0; e < ne; e++)
            {
                double en = Math.Sqrt(eEdges[e] * eEdges[e + 1]), r = eth / en;
                area[e + ne * o] = (float)(1.2e5 * Math.Pow(Math.Min(en, 30), 0.15) / (1 + r * r * r) * Math.Exp(-theta * theta / (2 * 1.4 * 1.4)));
            }
        }
        var hdu = BinaryTableHdu.Create("EFFECTIVE AREA", new BinaryTable(1,
        [
            FitsColumn.Create("ENERG_LO", F(eEdges[..^1]), ne, "TeV"),
            FitsColumn.Create("ENERG_HI", F(eEdges[1..]), ne, "TeV"),
            FitsColumn.Create("THETA_LO", F(oEdges[..^1]), no, "deg"),
            FitsColumn.Create("THETA_HI", F(oEdges[1..]), no, "deg"),
            FitsColumn.Create("EFFAREA", area, ne * no, "m2", [ne, no]),
        ]));
        SetResponseKeys(hdu.Header, "EFF_AREA", "AEFF_2D");
        hdu.Header.Set("LO_THRES", eth, "[TeV] low energy threshold");
        hdu.Header.Set("HI_THRES", EnergyMax, "[TeV] high energy threshold");
        return hdu;
    }

    /// <summary>Energy dispersion (edisp_2d): Gaussian migration around 1, wider near the threshold.</summary>
    public static BinaryTableHdu EnergyDispersionHdu(double zenith)
    {
        double eth = EnergyThreshold(zenith);
        double[] eEdges = LogEdges(0.01, 300, 30), mEdges = LogEdges(0.2, 5, 60), oEdges = Enumerable.Range(0, 7).Select(i => 0.5 * i).ToArray();
        int ne = eEdges.Length - 1, nm = mEdges.Length - 1, no = oEdges.Length - 1;
        var matrix = new float[ne * nm * no];
        for (int o = 0; o < no; o++)
            for (int e = 0; e < ne; e++)
            {
                double en = Math.Sqrt(eEdges[e] * eEdges[e + 1]);
                double sigma = 0.12 + 0.15 / (1 + en / eth) + 0.01 * (oEdges[o] + oEdges[o + 1]);
                for (int m = 0; m < nm; m++)
                {
                    double p = 0.5 * (MathNet.Numerics.SpecialFunctions.Erf((mEdges[m + 1] - 1) / (Math.Sqrt(2) * sigma))
                                    - MathNet.Numerics.SpecialFunctions.Erf((mEdges[m] - 1) / (Math.Sqrt(2) * sigma)));
                    matrix[e + ne * (m + nm * o)] = (float)(p / (mEdges[m + 1] - mEdges[m]));
                }
            }
        var hdu = BinaryTableHdu.Create("ENERGY DISPERSION", new BinaryTable(1,
        [
            FitsColumn.Create("ENERG_LO", F(eEdges[..^1]), ne, "TeV"),
            FitsColumn.Create("ENERG_HI", F(eEdges[1..]), ne, "TeV"),
            FitsColumn.Create("MIGRA_LO", F(mEdges[..^1]), nm),
            FitsColumn.Create("MIGRA_HI", F(mEdges[1..]), nm),
            FitsColumn.Create("THETA_LO", F(oEdges[..^1]), no, "deg"),
            FitsColumn.Create("THETA_HI", F(oEdges[1..]), no, "deg"),
            FitsColumn.Create("MATRIX", matrix, ne * nm * no, null, [ne, nm, no]),
        ]));
        SetResponseKeys(hdu.Header, "EDISP", "EDISP_2D");
        return hdu;
    }

    private static void SetResponseKeys(FitsHeader h, string clas2, string clas4)
    {
        h.Set("HDUCLASS", "GADF");
        h.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        h.Set("HDUVERS", "0.2");
        h.Set("HDUCLAS1", "RESPONSE");
        h.Set("HDUCLAS2", clas2);
        h.Set("HDUCLAS3", "FULL-ENCLOSURE");
        h.Set("HDUCLAS4", clas4);
    }
}
