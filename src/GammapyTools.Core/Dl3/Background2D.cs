using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// A radially symmetric background model (GADF bkg_2d): rate per (energy, offset) bin in
/// s-1 MeV-1 sr-1. <see cref="Data"/> is indexed [energy, offset] as gammapy's Background2D;
/// in the file the BKG cell is stored energy-fastest (TDIM = (nEnergy, nOffset)).
/// </summary>
public sealed class Background2D
{
    public const string DefaultUnit = "s-1 MeV-1 sr-1";

    public Background2D(double[] energyEdges, double[] offsetEdges, double[,] data, string unit = DefaultUnit)
    {
        if (energyEdges.Length < 2 || offsetEdges.Length < 2) throw new ArgumentException("a background model needs at least one energy and one offset bin");
        if (data.GetLength(0) != energyEdges.Length - 1 || data.GetLength(1) != offsetEdges.Length - 1)
            throw new ArgumentException($"background data are {data.GetLength(0)}×{data.GetLength(1)}, the axes {energyEdges.Length - 1}×{offsetEdges.Length - 1}");
        EnergyEdges = energyEdges;
        OffsetEdges = offsetEdges;
        Data = data;
        Unit = unit;
    }

    /// <summary>Energy bin edges in TeV.</summary>
    public double[] EnergyEdges { get; }
    /// <summary>Offset bin edges in degrees.</summary>
    public double[] OffsetEdges { get; }
    public double[,] Data { get; }
    public string Unit { get; }

    public int EnergyBins => EnergyEdges.Length - 1;
    public int OffsetBins => OffsetEdges.Length - 1;

    /// <summary>The BKG values in file order (energy fastest), as KL divergence and the writer use them.</summary>
    public double[] Flatten()
    {
        var flat = new double[EnergyBins * OffsetBins];
        for (int o = 0; o < OffsetBins; o++)
            for (int e = 0; e < EnergyBins; e++) flat[e + EnergyBins * o] = Data[e, o];
        return flat;
    }

    public static Background2D FromHdu(BinaryTableHdu hdu, string? fileForErrors = null)
    {
        var t = hdu.Table;
        try
        {
            var eLo = t["ENERG_LO"].ToDoubles(); var eHi = t["ENERG_HI"].ToDoubles();
            var oLo = t["THETA_LO"].ToDoubles(); var oHi = t["THETA_HI"].ToDoubles();
            var bkgColumn = t.Find("BKG") ?? t["BGD"];
            var bkg = bkgColumn.ToDoubles();
            int ne = eLo.Length / Math.Max(t.RowCount, 1), no = oLo.Length / Math.Max(t.RowCount, 1);
            if (bkg.Length / Math.Max(t.RowCount, 1) != ne * no)
                throw new FormatException($"BKG has {bkg.Length} values, the axes {ne}×{no}");
            var data = new double[ne, no];
            // TDIM may say (nOffset, nEnergy) in old files; gammapy transposes when the shape says so.
            bool offsetFastest = bkgColumn.Dim is { Length: 2 } dim && dim[0] == no && dim[1] == ne && ne != no;
            for (int o = 0; o < no; o++)
                for (int e = 0; e < ne; e++) data[e, o] = offsetFastest ? bkg[o + no * e] : bkg[e + ne * o];
            return new Background2D(Edges(eLo, eHi, ne), Edges(oLo, oHi, no), data, bkgColumn.Unit ?? DefaultUnit);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or ArgumentException or InvalidCastException)
        {
            throw new FitsException($"not a valid bkg_2d table ({e.Message})", fileForErrors);
        }
    }

    internal static double[] Edges(double[] lo, double[] hi, int n)
    {
        var edges = new double[n + 1];
        for (int i = 0; i < n; i++) edges[i] = lo[i];
        edges[n] = hi[n - 1];
        return edges;
    }

    /// <summary>The BACKGROUND HDU in the GADF layout gammapy reads (one row, vector columns).</summary>
    public BinaryTableHdu ToHdu(string extname = "BACKGROUND")
    {
        float[] F(IEnumerable<double> v) => v.Select(x => (float)x).ToArray();
        // Edges in double: gammapy's model is 0 outside its edges, and a float32 0.1 TeV edge
        // (0.1000000015) would put an analysis starting at 0.1 TeV outside it.
        var columns = new[]
        {
            FitsColumn.Create("ENERG_LO", EnergyEdges[..^1], EnergyBins, "TeV"),
            FitsColumn.Create("ENERG_HI", EnergyEdges[1..], EnergyBins, "TeV"),
            FitsColumn.Create("THETA_LO", OffsetEdges[..^1], OffsetBins, "deg"),
            FitsColumn.Create("THETA_HI", OffsetEdges[1..], OffsetBins, "deg"),
            FitsColumn.Create("BKG", F(Flatten()), EnergyBins * OffsetBins, Unit, [EnergyBins, OffsetBins]),
        };
        var hdu = BinaryTableHdu.Create(extname, new BinaryTable(1, columns));
        SetIrfKeywords(hdu.Header, "BKG_2D");
        return hdu;
    }

    internal static void SetIrfKeywords(FitsHeader h, string clas4)
    {
        h.Set("HDUCLASS", "GADF");
        h.Set("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats");
        h.Set("HDUVERS", "0.2");
        h.Set("HDUCLAS1", "RESPONSE");
        h.Set("HDUCLAS2", "BKG");
        h.Set("HDUCLAS3", "FULL-ENCLOSURE");
        h.Set("HDUCLAS4", clas4);
    }
}
