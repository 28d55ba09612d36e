using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// A background model in field-of-view coordinates (GADF bkg_3d): rate per (energy, FoV lon,
/// FoV lat) bin. <see cref="Data"/> is indexed [energy, lon, lat] as gammapy's Background3D; in the
/// file the BKG cell is stored energy-fastest (TDIM = (nEnergy, nLon, nLat)), as gammapy writes it.
/// Files written the other way round (H.E.S.S. DR1, CTA: lon, lat, energy) are read as gammapy does.
/// </summary>
public sealed class Background3D
{
    public Background3D(double[] energyEdges, double[] lonEdges, double[] latEdges, double[,,] data, string unit = Background2D.DefaultUnit)
    {
        if (data.GetLength(0) != energyEdges.Length - 1 || data.GetLength(1) != lonEdges.Length - 1 || data.GetLength(2) != latEdges.Length - 1)
            throw new ArgumentException("background data do not match the axes");
        EnergyEdges = energyEdges;
        LonEdges = lonEdges;
        LatEdges = latEdges;
        Data = data;
        Unit = unit;
    }

    public double[] EnergyEdges { get; }
    public double[] LonEdges { get; }
    public double[] LatEdges { get; }
    public double[,,] Data { get; }
    public string Unit { get; }

    public int EnergyBins => EnergyEdges.Length - 1;
    public int LonBins => LonEdges.Length - 1;
    public int LatBins => LatEdges.Length - 1;

    /// <summary>Values in a fixed order (energy fastest), for comparisons such as KL divergence.</summary>
    public double[] Flatten()
    {
        var flat = new double[EnergyBins * LonBins * LatBins];
        int i = 0;
        for (int b = 0; b < LatBins; b++)
            for (int l = 0; l < LonBins; l++)
                for (int e = 0; e < EnergyBins; e++) flat[i++] = Data[e, l, b];
        return flat;
    }

    public static Background3D FromHdu(BinaryTableHdu hdu, string? fileForErrors = null)
    {
        var t = hdu.Table;
        try
        {
            var eLo = t["ENERG_LO"].ToDoubles(); var eHi = t["ENERG_HI"].ToDoubles();
            var xLo = t["DETX_LO"].ToDoubles(); var xHi = t["DETX_HI"].ToDoubles();
            var yLo = t["DETY_LO"].ToDoubles(); var yHi = t["DETY_HI"].ToDoubles();
            var column = t.Find("BKG") ?? t["BGD"];
            var bkg = column.ToDoubles();
            int ne = eLo.Length, nx = xLo.Length, ny = yLo.Length;
            if (bkg.Length != ne * nx * ny) throw new FormatException($"BKG has {bkg.Length} values, the axes {ne}×{nx}×{ny}");
            var data = new double[ne, nx, ny];
            // gammapy reads data = column.T, whose shape is the TDIM order, and transposes it when
            // that shape is not (energy, lon, lat). So TDIM (energy, lon, lat) is read as it is, and
            // any other TDIM (H.E.S.S.: (lon, lat, energy)) as the reversed column array.
            bool gadfOrder = column.Dim is not { Length: 3 } dim || (dim[0] == ne && dim[1] == nx && dim[2] == ny);
            int i = 0;
            if (gadfOrder)
            {
                for (int b = 0; b < ny; b++)
                    for (int l = 0; l < nx; l++)
                        for (int e = 0; e < ne; e++) data[e, l, b] = bkg[i++];
            }
            else
            {
                // The column array indexed [e, l, b] directly: flat index b + ny * (l + nx * e).
                for (int e = 0; e < ne; e++)
                    for (int l = 0; l < nx; l++)
                        for (int b = 0; b < ny; b++) data[e, l, b] = bkg[i++];
            }
            return new Background3D(Background2D.Edges(eLo, eHi, ne), Background2D.Edges(xLo, xHi, nx), Background2D.Edges(yLo, yHi, ny),
                data, column.Unit ?? Background2D.DefaultUnit);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or ArgumentException or InvalidCastException)
        {
            throw new FitsException($"not a valid bkg_3d table ({e.Message})", fileForErrors);
        }
    }

    public BinaryTableHdu ToHdu(string extname = "BACKGROUND")
    {
        float[] F(IEnumerable<double> v) => v.Select(x => (float)x).ToArray();
        // Edges in double: gammapy's model is 0 outside its edges, and a float32 0.1 TeV edge
        // (0.1000000015) would put an analysis starting at 0.1 TeV outside it.
        var columns = new[]
        {
            FitsColumn.Create("ENERG_LO", EnergyEdges[..^1], EnergyBins, "TeV"),
            FitsColumn.Create("ENERG_HI", EnergyEdges[1..], EnergyBins, "TeV"),
            FitsColumn.Create("DETX_LO", LonEdges[..^1], LonBins, "deg"),
            FitsColumn.Create("DETX_HI", LonEdges[1..], LonBins, "deg"),
            FitsColumn.Create("DETY_LO", LatEdges[..^1], LatBins, "deg"),
            FitsColumn.Create("DETY_HI", LatEdges[1..], LatBins, "deg"),
            FitsColumn.Create("BKG", F(Flatten()), EnergyBins * LonBins * LatBins, Unit, [EnergyBins, LonBins, LatBins]),
        };
        var hdu = BinaryTableHdu.Create(extname, new BinaryTable(1, columns));
        Background2D.SetIrfKeywords(hdu.Header, "BKG_3D");
        hdu.Header.Set("FOVALIGN", "RADEC");
        return hdu;
    }
}
