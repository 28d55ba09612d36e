using System.Globalization;
using GammapyTools.Plots;
using GammapyTools.Sky;
using ScottPlot;

namespace GammapyTools.Maps;

/// <summary>
/// The figure gammapy-tools draws for a ring-background analysis (its rbm_plots): the significance map
/// (colour scale at ±5σ when the parameters say truncate), the excess and α maps with RA/Dec ticks,
/// the target and the exclusion circles drawn; and the distribution of significances of all safe
/// pixels and of those outside the exclusions (density, log scale) with the fitted Gaussian, N(0, 1)
/// and the fit's μ and σ written on it.
/// </summary>
public static class SkyMapPlot
{
    /// <summary>Writes the PNG atomically; returns the full path.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static string Write(string path, SkyMap map, string title, int width = 1600, int height = 1200, bool overwrite = false)
    {
        var p = map.Parameters;
        var panels = new List<Plot>
        {
            Image(map, map.Significance, $"{title}: significance (Li & Ma)", "σ", p.Truncate ? new ScottPlot.Range(-5, 5) : null, diverging: true),
            Image(map, map.Excess, "excess counts (top-hat θ = " + p.Theta.ToString("0.###", CultureInfo.InvariantCulture) + "°)", "counts", null, diverging: true),
            Image(map, map.Alpha, "α (ON / OFF acceptance)", "α", null, diverging: false),
            Distribution(map),
        };
        return PlotGrid.Save(path, panels, columns: 2, width, height, overwrite);
    }

    private static Plot Image(SkyMap map, double[] values, string title, string unit, ScottPlot.Range? range, bool diverging)
    {
        var g = map.Geometry;
        // Row 0 of a heatmap is drawn at the top: the map's last row (north).
        var data = new double[g.NY, g.NX];
        double largest = 0;
        for (int y = 0; y < g.NY; y++)
            for (int x = 0; x < g.NX; x++)
            {
                double v = values[g.Index(x, y)];
                data[g.NY - 1 - y, x] = v;
                if (double.IsFinite(v)) largest = Math.Max(largest, Math.Abs(v));
            }
        var plot = new Plot();
        var hm = plot.Add.Heatmap(data);
        hm.Extent = new CoordinateRect(-0.5, g.NX - 0.5, -0.5, g.NY - 0.5);
        hm.Colormap = diverging ? new ScottPlot.Colormaps.Balance() : new ScottPlot.Colormaps.Viridis();
        hm.NaNCellColor = Colors.LightGray;
        if (range is not null) hm.ManualRange = range;
        else if (diverging && largest > 0) hm.ManualRange = new ScottPlot.Range(-largest, largest);
        PlotGrid.LabelledColorBar(plot, hm, unit);

        // The target and every exclusion circle, in pixels (radius by the bin size: TAN is flat to 1e-5 here).
        var (tx, ty) = g.WorldToPixel(map.Target);
        Circle(plot, tx, ty, map.Parameters.ExclusionRadius / g.BinSize, Colors.Black);
        foreach (var r in map.Parameters.ExclusionRegions)
        {
            var (cx, cy) = g.WorldToPixel(r.Center);
            if (!double.IsNaN(cx)) Circle(plot, cx, cy, r.Radius / g.BinSize, Colors.DimGray);
        }
        var marker = plot.Add.Marker(tx, ty, MarkerShape.Cross, 12, Colors.Black);
        marker.LegendText = "target";

        // RA/Dec ticks: RA along the row through the centre, Dec along the column through the centre.
        var xt = new List<Tick>(); var yt = new List<Tick>();
        for (int k = 0; k <= 4; k++)
        {
            double px = k * (g.NX - 1) / 4.0, py = k * (g.NY - 1) / 4.0;
            xt.Add(new Tick(px, g.PixelToWorld(px, (g.NY - 1) / 2.0).Ra.ToString("0.00", CultureInfo.InvariantCulture)));
            yt.Add(new Tick(py, g.PixelToWorld((g.NX - 1) / 2.0, py).Dec.ToString("0.00", CultureInfo.InvariantCulture)));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xt.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(yt.ToArray());
        plot.Axes.SetLimits(-0.5, g.NX - 0.5, -0.5, g.NY - 0.5);
        plot.Title(title);
        plot.XLabel("RA (deg)");
        plot.YLabel("Dec (deg)");
        return plot;
    }

    private static void Circle(Plot plot, double x0, double y0, double r, Color color)
    {
        if (!(r > 0)) return;
        const int n = 181;
        var xs = new double[n]; var ys = new double[n];
        for (int i = 0; i < n; i++) { double a = 2 * Math.PI * i / (n - 1); xs[i] = x0 + r * Math.Cos(a); ys[i] = y0 + r * Math.Sin(a); }
        plot.Add.ScatterLine(xs, ys, color).LineWidth = 1.5f;
    }

    /// <summary>Histograms as gammapy-tools draws them: bins of −5…10 σ, density, log10 axis from 1e-5 to 1.</summary>
    private static Plot Distribution(SkyMap map)
    {
        const double lo = -5, hi = 10;
        const int bins = 100;
        var plot = new Plot();
        Step(plot, map.AllSignificances(), lo, hi, bins, "all safe pixels", Colors.Red);
        Step(plot, map.OffSignificances(), lo, hi, bins, "outside the exclusions", Colors.Blue);
        Curve(plot, map.OffMean, map.OffWidth, $"fit: μ = {map.OffMean:0.00}, σ = {map.OffWidth:0.00}", Colors.Black, LinePattern.Solid);
        Curve(plot, 0, 1, "N(0, 1)", Colors.Gray, LinePattern.Dashed);
        var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture,
            $"Fit results: mu = {map.OffMean:0.00}, std = {map.OffWidth:0.00} ({map.OffPixels} pixels); at the target {map.SignificanceAtTarget:0.00} σ"), -4.8, -0.25);
        text.LabelFontSize = 13;
        var ticks = Enumerable.Range(-5, 6).Select(k => new Tick(k, k == 0 ? "1" : $"1e{k}")).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimits(lo, hi, -5, 0.1);
        plot.Title("significance distribution");
        plot.XLabel("significance (σ)");
        plot.YLabel("density");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void Step(Plot plot, double[] values, double lo, double hi, int bins, string label, Color color)
    {
        if (values.Length == 0) return;
        var counts = new double[bins];
        double w = (hi - lo) / bins;
        foreach (double v in values) { int b = (int)Math.Floor((v - lo) / w); if (b >= 0 && b < bins) counts[b]++; }
        var xs = new double[2 * bins]; var ys = new double[2 * bins];
        for (int b = 0; b < bins; b++)
        {
            double density = counts[b] / (values.Length * w);
            xs[2 * b] = lo + b * w; xs[2 * b + 1] = lo + (b + 1) * w;
            ys[2 * b] = ys[2 * b + 1] = density > 0 ? Math.Log10(density) : -6;   // below the axis: empty bin
        }
        var s = plot.Add.ScatterLine(xs, ys, color);
        s.LegendText = label;
        s.LineWidth = 1.5f;
    }

    private static void Curve(Plot plot, double mu, double sigma, string label, Color color, LinePattern pattern)
    {
        if (!(sigma > 0) || !double.IsFinite(mu)) return;
        const int n = 161;
        var xs = new double[n]; var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = -8 + 16.0 * i / (n - 1);
            double z = (xs[i] - mu) / sigma;
            ys[i] = Math.Log10(Math.Exp(-0.5 * z * z) / (sigma * Math.Sqrt(2 * Math.PI)));
        }
        var s = plot.Add.ScatterLine(xs, ys, color);
        s.LegendText = label;
        s.LinePattern = pattern;
        s.LineWidth = 2f;
    }
}
