using System.Globalization;
using System.Text.RegularExpressions;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Sky;
using ScottPlot;
using GammapyTools.Plots;

namespace GammapyTools.Mimic;

/// <summary>What <see cref="ScrambleDiagnostic.Write"/> drew.</summary>
public sealed record ScrambleDiagnosticResult(string Path, long OriginalEvents, long ScrambledEvents, IReadOnlyList<ScrambleSource> Sources);

/// <summary>
/// The scrambling diagnostic of the gammapy-tools mimic document, as one PNG: counts maps (sky
/// offsets around each run's own pointing, east to the left) before, after and after − before, with
/// the annulus and source circle drawn; the offset distribution before/after; the position-angle
/// distribution of the annulus events before/after.
/// </summary>
public static partial class ScrambleDiagnostic
{
    public const double MapRadius = 2.5;
    private const int MapBins = 100;

    [GeneratedRegex(@"scrambled\s*'(?<name>[^']*)'\s*RA\s*(?<ra>[-+0-9.eE]+)\s*Dec\s*(?<dec>[-+0-9.eE]+)\s*theta\s*(?<theta>[-+0-9.eE]+)\s*deg", RegexOptions.CultureInvariant)]
    private static partial Regex HistoryPattern();

    /// <summary>
    /// Scrambled sources recorded in the HISTORY of a Convert-Fov output (positions in the original run's frame).
    /// </summary>
    public static IReadOnlyList<ScrambleSource> SourcesFromHistory(FitsHeader eventsHeader)
    {
        var result = new List<ScrambleSource>();
        // Long HISTORY texts are split over several 72-character cards: read them joined.
        string text = string.Concat(eventsHeader.Where(c => c.Keyword == "HISTORY").Select(c => c.Comment ?? c.Value as string ?? ""));
        foreach (Match m in HistoryPattern().Matches(text))
        {
            double P(string g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            result.Add(new ScrambleSource(m.Groups["name"].Value, new SkyCoord(P("ra"), P("dec")), P("theta")));
        }
        return result;
    }

    /// <summary>
    /// Writes the diagnostic PNG. Sources default to those recorded in the scrambled run's HISTORY;
    /// the annulus is drawn around the original pointing, where scrambling happened; in the scrambled
    /// run's own frame the pattern is the same (re-pointing keeps offsets and position angles).
    /// </summary>
    public static ScrambleDiagnosticResult Write(string path, Run original, Run scrambled, IReadOnlyList<ScrambleSource>? sources = null,
        int width = 1800, int height = 1000, bool overwrite = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full) && !overwrite) throw new FovConversionException($"the output file exists: {full} (use Force to overwrite)") { FilePath = full };
        try { Output.AtomicFile.CheckDestination(full, overwrite: true); }
        catch (Output.OutputPathException e) { throw new FovConversionException(e.Message, e) { FilePath = full }; }
        var (lon0, lat0, _) = Offsets(original.Path);
        var (lon1, lat1, h1) = Offsets(scrambled.Path);
        sources ??= SourcesFromHistory(h1);
        var p0 = original.Pointing;
        var inSky = sources.Select(s =>
        {
            var (l, b) = OffsetFrame.SkyOffset(p0, s.Position);
            return (Lon: l, Lat: b, D: p0.SeparationTo(s.Position), s.Theta);
        }).ToList();

        var before = Histogram2D(lon0, lat0); var after = Histogram2D(lon1, lat1);
        var diff = new double[MapBins, MapBins];
        for (int i = 0; i < MapBins; i++) for (int j = 0; j < MapBins; j++) diff[i, j] = after[i, j] - before[i, j];

        // Before and after share one colour scale, so that equal colours mean equal counts.
        double top = 1;
        foreach (double v in before) top = Math.Max(top, v);
        foreach (double v in after) top = Math.Max(top, v);
        var plots = new List<Plot>
        {
            Map(before, $"counts before ({original.ObsId})", inSky, new ScottPlot.Range(0, top), "events per bin"),
            Map(after, $"counts after ({scrambled.ObsId})", inSky, new ScottPlot.Range(0, top), "events per bin"),
            Map(diff, "after − before", inSky, null, "events per bin (after − before)", diverging: true),
        };
        // Offset distributions.
        var off = new Plot();
        Step(off, Radii(lon0, lat0), 0, MapRadius, 50, "before", Colors.Blue);
        Step(off, Radii(lon1, lat1), 0, MapRadius, 50, "after", Colors.Red);
        foreach (var s in inSky) { VLine(off, Math.Max(0, s.D - s.Theta)); VLine(off, s.D + s.Theta); }
        off.Title("offset distribution"); off.XLabel("offset from pointing (deg)"); off.YLabel("events"); off.ShowLegend();
        plots.Add(off);
        // Position angles in the annuli.
        var pa = new Plot();
        Step(pa, AnnulusAngles(lon0, lat0, inSky), 0, 360, 36, "before", Colors.Blue);
        Step(pa, AnnulusAngles(lon1, lat1, inSky), 0, 360, 36, "after", Colors.Red);
        foreach (var s in inSky) VLine(pa, p0.PositionAngleTo(sources[inSky.IndexOf(s)].Position));
        pa.Title(inSky.Count > 0 ? "position angle, annulus events" : "position angle, all events");
        pa.XLabel("position angle east of north (deg)"); pa.YLabel("events"); pa.ShowLegend();
        plots.Add(pa);
        // Summary text.
        var info = new Plot();
        info.HideAxesAndGrid();
        var lines = new List<string> { $"original: run {original.ObsId}, {lon0.Length} events", $"scrambled: run {scrambled.ObsId}, {lon1.Length} events" };
        lines.AddRange(sources.Select(s => string.Create(CultureInfo.InvariantCulture, $"'{s.Name}' θ = {s.Theta}°")));
        for (int i = 0; i < lines.Count; i++) info.Add.Text(lines[i], 0, -i);
        info.Axes.SetLimits(-0.1, 3, -lines.Count, 1);
        plots.Add(info);

        PlotGrid.Save(full, plots, columns: 3, width, height, overwrite);
        return new ScrambleDiagnosticResult(full, lon0.Length, lon1.Length, sources);
    }

    private static (double[] Lon, double[] Lat, FitsHeader Header) Offsets(string file)
    {
        using var f = FitsFile.Open(file);
        var events = HduClassifier.Locate(f).FirstOrDefault(h => h.HduType == "events") ?? throw new FitsException("no EVENTS HDU", file);
        var info = HduClassifier.Find(f, events);
        var t = f.ReadTable(info, ["RA", "DEC"]);
        var p = new SkyCoord(info.Header.GetDouble("RA_PNT") ?? 0, info.Header.GetDouble("DEC_PNT") ?? 0);
        double[] ra = t.Table["RA"].ToDoubles(), dec = t.Table["DEC"].ToDoubles();
        var lon = new double[ra.Length]; var lat = new double[ra.Length];
        OffsetFrame.SkyOffset(p, ra, dec, lon, lat);
        return (lon, lat, info.Header);
    }

    private static double[,] Histogram2D(double[] lon, double[] lat)
    {
        var h = new double[MapBins, MapBins];
        double w = 2 * MapRadius / MapBins;
        for (int i = 0; i < lon.Length; i++)
        {
            int ix = (int)Math.Floor((lon[i] + MapRadius) / w);   // column 0 at lon = −R; the x axis is inverted (east left)
            int iy = (int)Math.Floor((MapRadius - lat[i]) / w);   // row 0 at the top (north)
            if (ix >= 0 && ix < MapBins && iy >= 0 && iy < MapBins) h[iy, ix]++;
        }
        return h;
    }

    private static Plot Map(double[,] data, string title, IReadOnlyList<(double Lon, double Lat, double D, double Theta)> sources,
        ScottPlot.Range? range, string colorLabel, bool diverging = false)
    {
        var plot = new Plot();
        var hm = plot.Add.Heatmap(data);
        hm.Extent = new CoordinateRect(-MapRadius, MapRadius, -MapRadius, MapRadius);
        hm.FlipHorizontally = true;   // the bitmap is drawn left to right on screen; the x axis is inverted
        hm.Colormap = diverging ? new ScottPlot.Colormaps.Balance() : new ScottPlot.Colormaps.Viridis();
        if (diverging)
        {
            double m = 1;
            foreach (double v in data) m = Math.Max(m, Math.Abs(v));
            hm.ManualRange = new ScottPlot.Range(-m, m);
        }
        else if (range is not null) hm.ManualRange = range;
        PlotGrid.LabelledColorBar(plot, hm, colorLabel);
        foreach (var s in sources)
        {
            Circle(plot, 0, 0, Math.Max(0, s.D - s.Theta), Colors.White);
            Circle(plot, 0, 0, s.D + s.Theta, Colors.White);
            Circle(plot, s.Lon, s.Lat, s.Theta, Colors.Orange);
        }
        plot.Axes.SetLimits(MapRadius, -MapRadius, -MapRadius, MapRadius);
        plot.Title(title); plot.XLabel("east offset (deg)"); plot.YLabel("north offset (deg)");
        return plot;
    }

    private static void Circle(Plot plot, double x0, double y0, double r, Color color)
    {
        const int n = 181;
        var xs = new double[n]; var ys = new double[n];
        for (int i = 0; i < n; i++) { double a = 2 * Math.PI * i / (n - 1); xs[i] = x0 + r * Math.Cos(a); ys[i] = y0 + r * Math.Sin(a); }
        var s = plot.Add.ScatterLine(xs, ys, color);
        s.LineWidth = 1.5f;
    }

    private static void VLine(Plot plot, double x)
    {
        var line = plot.Add.VerticalLine(x);
        line.Color = Colors.Gray;
        line.LinePattern = LinePattern.Dashed;
    }

    private static double[] Radii(double[] lon, double[] lat)
    {
        var r = new double[lon.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = Math.Acos(Math.Clamp(Math.Cos(lon[i] * Angles.DegToRad) * Math.Cos(lat[i] * Angles.DegToRad), -1, 1)) * Angles.RadToDeg;
        return r;
    }

    private static double[] AnnulusAngles(double[] lon, double[] lat, IReadOnlyList<(double Lon, double Lat, double D, double Theta)> sources)
    {
        var r = Radii(lon, lat);
        var list = new List<double>();
        for (int i = 0; i < r.Length; i++)
            if (sources.Count == 0 || sources.Any(s => Math.Abs(r[i] - s.D) < s.Theta))
                list.Add(Angles.Wrap360(Math.Atan2(Math.Sin(lon[i] * Angles.DegToRad) * Math.Cos(lat[i] * Angles.DegToRad), Math.Sin(lat[i] * Angles.DegToRad)) * Angles.RadToDeg));
        return list.ToArray();
    }

    private static void Step(Plot plot, double[] values, double lo, double hi, int bins, string label, Color color)
    {
        var counts = new double[bins];
        double w = (hi - lo) / bins;
        foreach (double v in values) { int b = (int)((v - lo) / w); if (b >= 0 && b < bins) counts[b]++; }
        var xs = new double[2 * bins]; var ys = new double[2 * bins];
        for (int b = 0; b < bins; b++) { xs[2 * b] = lo + b * w; xs[2 * b + 1] = lo + (b + 1) * w; ys[2 * b] = ys[2 * b + 1] = counts[b]; }
        var s = plot.Add.ScatterLine(xs, ys, color);
        s.LegendText = label;
        s.LineWidth = 1.5f;
    }
}
