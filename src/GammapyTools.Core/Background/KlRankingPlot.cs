using GammapyTools.Plots;
using ScottPlot;

namespace GammapyTools.Background;

/// <summary>One bar of a KL ranking: a candidate run and its divergence from the target's model.</summary>
public sealed record KlRankingEntry(long ObsId, double KlDivergence);

/// <summary>
/// The KL ranking of a target's candidate background runs as a bar chart, lowest (most similar)
/// first, with the KL = 1 line above which candidates are not used (questionable <c>large_kl</c>).
/// </summary>
public static class KlRankingPlot
{
    /// <summary>Bars are labelled with OBS_IDs up to this many runs; beyond, the x axis is the rank.</summary>
    private const int MaxLabelledBars = 40;

    public static string Write(string path, IReadOnlyList<KlRankingEntry> entries, string title, int width = 1200, int height = 600, bool overwrite = false)
    {
        if (entries.Count == 0) throw new ArgumentException("no KL divergences to plot", nameof(entries));
        var sorted = entries.Where(e => double.IsFinite(e.KlDivergence)).OrderBy(e => e.KlDivergence).ThenBy(e => e.ObsId).ToList();
        if (sorted.Count == 0) throw new ArgumentException("no finite KL divergence to plot", nameof(entries));
        var plot = new Plot();
        var bars = sorted.Select((e, i) => new Bar
        {
            Position = i + 1,
            Value = e.KlDivergence,
            FillColor = e.KlDivergence < 1 ? Colors.SteelBlue : Colors.Gray,
        }).ToList();
        plot.Add.Bars(bars);
        var limit = plot.Add.HorizontalLine(1.0);
        limit.Color = Colors.Red;
        limit.LinePattern = LinePattern.Dashed;
        limit.LegendText = "KL = 1 (larger: not used)";
        if (sorted.Count <= MaxLabelledBars)
        {
            var ticks = sorted.Select((e, i) => new Tick(i + 1, e.ObsId.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
            plot.Axes.Bottom.TickLabelStyle.Rotation = -60;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.XLabel("candidate run (OBS_ID), most similar first");
        }
        else plot.XLabel("rank of the candidate run (most similar first)");
        plot.YLabel("KL divergence (nats)");
        plot.Title(title);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotGrid.Save(path, [plot], columns: 1, width, height, overwrite);
    }
}
