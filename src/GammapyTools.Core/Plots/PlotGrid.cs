using ScottPlot;
using SkiaSharp;

namespace GammapyTools.Plots;

/// <summary>
/// Renders ScottPlot panels into one PNG, row by row, and writes it through <see cref="Output.AtomicFile"/>
/// (temporary file, then rename; only a regular file is replaced): the diagnostics users look at share
/// one way to be drawn and saved.
/// </summary>
public static class PlotGrid
{
    /// <summary>Draws <paramref name="panels"/> in a grid of <paramref name="columns"/> columns and writes the PNG; disposes the panels.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static string Save(string path, IReadOnlyList<Plot> panels, int columns, int width, int height, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (File.Exists(full) && !overwrite) throw new IOException($"the output file exists: {full} (use Force to overwrite)");
            Output.AtomicFile.CheckDestination(full, overwrite: true); // a device, FIFO or directory: refused before drawing
            int rows = (panels.Count + columns - 1) / columns;
            int cw = width / columns, ch = height / Math.Max(rows, 1);
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            surface.Canvas.Clear(SKColors.White);
            for (int k = 0; k < panels.Count; k++)
            {
                // A plot's render fills the whole canvas it gets: each panel is rendered alone and drawn into place.
                using var panel = SKImage.FromEncodedData(panels[k].GetImageBytes(cw, ch, ImageFormat.Png));
                surface.Canvas.DrawImage(panel, k % columns * cw, k / columns * ch);
            }
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            Output.AtomicFile.Write(full, overwrite, f => data.SaveTo(f));
            return full;
        }
        finally
        {
            foreach (var p in panels) p.Dispose();
        }
    }

    /// <summary>A colour bar with a label (the unit of the colour scale).</summary>
    public static void LabelledColorBar(Plot plot, IHasColorAxis source, string label)
    {
        var bar = plot.Add.ColorBar(source);
        bar.Label = label;
    }
}
