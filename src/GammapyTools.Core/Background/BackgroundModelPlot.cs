using System.Globalization;
using GammapyTools.Plots;
using ScottPlot;

namespace GammapyTools.Background;

/// <summary>
/// A picture of a background model, as analysts look at them before trusting one. bkg_2d: the rate
/// against offset, one line per energy band, and the energy × offset map; bkg_3d: FoV maps
/// (DETX × DETY) of up to six energy bands. Rates are shown as log10 of the model's unit; empty
/// cells (rate 0) are left blank so that holes in a sparse model are visible.
/// </summary>
public static class BackgroundModelPlot
{
    private const int MaxBands = 6;

    public static string Write(string path, BackgroundModel model, string title, int width = 1600, int height = 700, bool overwrite = false)
    {
        var panels = model.HduClass == "bkg_3d" ? FovMaps(model, title) : OffsetProfiles(model, title);
        int columns = model.HduClass == "bkg_3d" ? 3 : 2;
        return PlotGrid.Save(path, panels, columns, width, height, overwrite);
    }

    private static List<Plot> OffsetProfiles(BackgroundModel model, string title)
    {
        double[] energy = model.Axes[0], offset = model.Axes[1];
        int ne = energy.Length - 1, no = offset.Length - 1;
        double Rate(int e, int o) => model.Values[e + ne * o];   // file order: energy fastest

        var profile = new Plot();
        var colormap = new ScottPlot.Colormaps.Viridis();
        foreach (int e in Bands(ne))
        {
            var xs = new List<double>(); var ys = new List<double>();
            for (int o = 0; o < no; o++)
            {
                if (!(Rate(e, o) > 0)) continue;   // log scale: zero cells are gaps
                xs.Add(0.5 * (offset[o] + offset[o + 1]));
                ys.Add(Math.Log10(Rate(e, o)));
            }
            if (xs.Count == 0) continue;
            var line = profile.Add.ScatterLine(xs.ToArray(), ys.ToArray(), colormap.GetColor(ne == 1 ? 0.5 : e / (double)(ne - 1)));
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = EnergyBand(energy, e);
        }
        profile.Title($"{title}: rate against offset");
        profile.XLabel("offset from the camera centre (deg)");
        profile.YLabel("log10 rate (s⁻¹ MeV⁻¹ sr⁻¹)");
        profile.ShowLegend(Alignment.UpperRight);

        // Rows from the top: highest energy first, as the y axis grows upwards.
        var map = new double[ne, no];
        for (int e = 0; e < ne; e++)
            for (int o = 0; o < no; o++)
                map[ne - 1 - e, o] = Rate(e, o) > 0 ? Math.Log10(Rate(e, o)) : double.NaN;
        var mapPlot = new Plot();
        if (HasFinite(map))
        {
            var hm = mapPlot.Add.Heatmap(map);
            hm.ManualRange = FiniteRange(map);
            hm.Extent = new CoordinateRect(offset[0], offset[^1], Math.Log10(energy[0]), Math.Log10(energy[^1]));
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            PlotGrid.LabelledColorBar(mapPlot, hm, "log10 rate (s⁻¹ MeV⁻¹ sr⁻¹)");
        }
        else mapPlot.Add.Text("rate 0 everywhere", 0.5 * (offset[0] + offset[^1]), 0);
        mapPlot.Title($"{title}: energy × offset");
        mapPlot.XLabel("offset from the camera centre (deg)");
        mapPlot.YLabel("log10 energy (TeV)");
        return [profile, mapPlot];
    }

    private static List<Plot> FovMaps(BackgroundModel model, string title)
    {
        double[] energy = model.Axes[0], lon = model.Axes[1], lat = model.Axes[2];
        int ne = energy.Length - 1, nl = lon.Length - 1, nb = lat.Length - 1;
        var panels = new List<Plot>();
        foreach (int e in Bands(ne))
        {
            var map = new double[nb, nl];
            for (int b = 0; b < nb; b++)
                for (int l = 0; l < nl; l++)
                {
                    double rate = model.Values[e + ne * (l + nl * b)];   // energy fastest, then lon, then lat
                    map[nb - 1 - b, l] = rate > 0 ? Math.Log10(rate) : double.NaN;
                }
            var plot = new Plot();
            if (HasFinite(map))
            {
                var hm = plot.Add.Heatmap(map);
                hm.ManualRange = FiniteRange(map);
                hm.Extent = new CoordinateRect(lon[0], lon[^1], lat[0], lat[^1]);
                hm.Colormap = new ScottPlot.Colormaps.Viridis();
                PlotGrid.LabelledColorBar(plot, hm, "log10 rate (s⁻¹ MeV⁻¹ sr⁻¹)");
            }
            else
            {
                // ScottPlot cannot scale a heatmap without a single finite cell: say what it would show.
                plot.Add.Text("rate 0 everywhere", 0.5 * (lon[0] + lon[^1]), 0.5 * (lat[0] + lat[^1]));
                plot.Axes.SetLimits(lon[0], lon[^1], lat[0], lat[^1]);
            }
            plot.Title($"{title}: {EnergyBand(energy, e)}");
            plot.XLabel("DETX, FoV lon (deg)");
            plot.YLabel("DETY, FoV lat (deg)");
            panels.Add(plot);
        }
        return panels;
    }

    private static bool HasFinite(double[,] map)
    {
        foreach (double v in map) if (double.IsFinite(v)) return true;
        return false;
    }

    /// <summary>The colour range of the finite cells (a map has at least one).</summary>
    private static ScottPlot.Range FiniteRange(double[,] map)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in map)
            if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        return lo == hi ? new ScottPlot.Range(lo - 0.5, hi + 0.5) : new ScottPlot.Range(lo, hi);
    }

    /// <summary>Up to six energy bins spread over the axis (all of them when there are few).</summary>
    private static IEnumerable<int> Bands(int n) =>
        n <= MaxBands ? Enumerable.Range(0, n) : Enumerable.Range(0, MaxBands).Select(i => (int)Math.Round(i * (n - 1) / (double)(MaxBands - 1))).Distinct();

    private static string EnergyBand(double[] edges, int e) =>
        string.Create(CultureInfo.InvariantCulture, $"{edges[e]:0.###}–{edges[e + 1]:0.###} TeV");
}
