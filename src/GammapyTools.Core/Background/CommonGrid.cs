using System.Globalization;

namespace GammapyTools.Background;

/// <summary>A background rate on energy × offset (rings around the pointing): [energy, offset], s-1 MeV-1 sr-1.</summary>
public sealed record RadialRate(double[] EnergyEdges, double[] OffsetEdges, double[,] Rate)
{
    /// <summary>Rates in the bkg_2d file order (energy fastest), as KL divergence uses them.</summary>
    public double[] Flatten()
    {
        int nE = EnergyEdges.Length - 1, nO = OffsetEdges.Length - 1;
        var flat = new double[nE * nO];
        for (int o = 0; o < nO; o++)
            for (int e = 0; e < nE; e++) flat[e + nE * o] = Rate[e, o];
        return flat;
    }
}

/// <summary>
/// Brings two background models of different kinds or binnings onto one grid so that they can be
/// compared (DESIGN.md §5 "KL across model kinds"):
/// <list type="number">
/// <item>a bkg_3d is integrated over FoV azimuth to energy × offset: rings as wide as its pixels, out
///   to the largest offset whose whole circle lies inside its FoV square; each pixel's rate × solid
///   angle is shared among the rings its area falls in (8 × 8 sub-pixels), and a ring's rate is its
///   content over its area;</item>
/// <item>the common grid is the overlap of both models' energy and offset ranges, with the inner
///   edges of the coarser model on each axis (the one with fewer bins inside the overlap);</item>
/// <item>both are re-binned to it by integrating rate × bin area (solid angle × ΔE, the rate taken
///   constant within a source bin) and dividing by the common bin's area, so each common bin holds
///   the area-weighted mean rate.</item>
/// </list>
/// Models of the same kind and binning are compared directly, as the reference does; the common
/// grid of two identical binnings is that binning, so both paths agree there. Models whose ranges
/// do not overlap cannot be compared: a <see cref="BinningMismatchException"/> names the config keys.
/// </summary>
public static class CommonGrid
{
    /// <summary>Identifies the comparison method in stored KL tables: a table made by another method is recomputed.</summary>
    public const string Method = "common-grid-1";

    private const double Deg = Math.PI / 180;
    private const int SubPixels = 8;

    /// <summary>A model as a rate on energy × offset (bkg_2d as it is; bkg_3d integrated over azimuth).</summary>
    public static RadialRate Radial(BackgroundModel model)
    {
        if (model.HduClass == "bkg_2d")
        {
            double[] e = model.Axes[0], o = model.Axes[1];
            int nE = e.Length - 1, nO = o.Length - 1;
            var rate = new double[nE, nO];
            for (int j = 0; j < nO; j++)
                for (int i = 0; i < nE; i++) rate[i, j] = model.Values[i + nE * j];
            return new RadialRate(e, o, rate);
        }
        if (model.HduClass == "bkg_3d") return AzimuthIntegrated(model.Axes[0], model.Axes[1], model.Axes[2], model.Values);
        throw new BinningMismatchException($"{model.Source ?? "a model"} is {model.HduClass}; only bkg_2d and bkg_3d can be compared");
    }

    private static RadialRate AzimuthIntegrated(double[] energy, double[] lon, double[] lat, double[] values)
    {
        int nE = energy.Length - 1, nX = lon.Length - 1, nY = lat.Length - 1;
        double rMax = new[] { -lon[0], lon[^1], -lat[0], lat[^1] }.Min();
        if (!(rMax > 0)) throw new BinningMismatchException("the bkg_3d FoV does not contain its centre; it has no offset profile");
        double width = Math.Min((lon[^1] - lon[0]) / nX, (lat[^1] - lat[0]) / nY);
        int nR = Math.Max(1, (int)Math.Round(rMax / width));
        var rings = Enumerable.Range(0, nR + 1).Select(i => rMax * i / nR).ToArray();

        // Each pixel's area per ring (sub-pixel centres), then content = Σ rate × area per ring.
        var content = new double[nE, nR];
        var area = new double[nR];
        var pixelArea = new double[nR];
        for (int x = 0; x < nX; x++)
            for (int y = 0; y < nY; y++)
            {
                Array.Clear(pixelArea);
                bool any = false;
                for (int a = 0; a < SubPixels; a++)
                {
                    double lo = lon[x] + (lon[x + 1] - lon[x]) * (a + 0.5) / SubPixels;
                    for (int b = 0; b < SubPixels; b++)
                    {
                        double la0 = lat[y] + (lat[y + 1] - lat[y]) * b / SubPixels, la1 = lat[y] + (lat[y + 1] - lat[y]) * (b + 1) / SubPixels;
                        double la = 0.5 * (la0 + la1);
                        double offset = Math.Acos(Math.Clamp(Math.Cos(lo * Deg) * Math.Cos(la * Deg), -1, 1)) / Deg;
                        if (offset >= rMax) continue;
                        int r = Math.Min((int)(offset / rMax * nR), nR - 1);
                        double sub = (lon[x + 1] - lon[x]) / SubPixels * Deg * (Math.Sin(la1 * Deg) - Math.Sin(la0 * Deg));
                        pixelArea[r] += sub;
                        any = true;
                    }
                }
                if (!any) continue;
                for (int r = 0; r < nR; r++)
                {
                    if (pixelArea[r] == 0) continue;
                    area[r] += pixelArea[r];
                    // Values are in the bkg_3d order: energy fastest, then lon, then lat.
                    for (int e = 0; e < nE; e++) content[e, r] += values[e + nE * (x + nX * y)] * pixelArea[r];
                }
            }
        var rate = new double[nE, nR];
        for (int r = 0; r < nR; r++)
            for (int e = 0; e < nE; e++) rate[e, r] = area[r] > 0 ? content[e, r] / area[r] : 0;
        return new RadialRate(energy, rings, rate);
    }

    /// <summary>
    /// Both models' rates on their common grid, flattened energy fastest. Throws
    /// <see cref="BinningMismatchException"/> when their energy or offset ranges do not overlap.
    /// </summary>
    public static (double[] P, double[] Q) OnCommonGrid(BackgroundModel p, BackgroundModel q)
    {
        var a = p.Radial;
        var b = q.Radial;
        var energy = CommonEdges(a.EnergyEdges, b.EnergyEdges);
        var offset = CommonEdges(a.OffsetEdges, b.OffsetEdges);
        if (energy is null || offset is null)
            throw new BinningMismatchException(
                $"the background models do not overlap: {Describe(a)} ({p.Source ?? "reference"}) vs {Describe(b)} ({q.Source ?? "model"}); " +
                "change binning.e_min, binning.e_max, binning.off_min or binning.off_max so that the models you build overlap those of the search data store");
        return (Rebin(a, energy, offset).Flatten(), Rebin(b, energy, offset).Flatten());
    }

    private static string Describe(RadialRate r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.EnergyEdges[0]:G4}–{r.EnergyEdges[^1]:G4} TeV × {r.OffsetEdges[0]:G3}–{r.OffsetEdges[^1]:G3}°");

    /// <summary>The overlap of two edge sets with the inner edges of the coarser one, or null without overlap.</summary>
    internal static double[]? CommonEdges(double[] a, double[] b)
    {
        double lo = Math.Max(a[0], b[0]), hi = Math.Min(a[^1], b[^1]);
        double tolerance = 1e-6 * Math.Max(Math.Abs(hi), Math.Abs(lo)) + 1e-12;
        if (!(hi - lo > tolerance)) return null;
        double[] Inner(double[] edges) => edges.Where(x => x > lo + tolerance && x < hi - tolerance).ToArray();
        var innerA = Inner(a);
        var innerB = Inner(b);
        var inner = innerB.Length < innerA.Length ? innerB : innerA;
        return [lo, .. inner, hi];
    }

    /// <summary>The area-weighted mean rate in each bin of the target grid.</summary>
    private static RadialRate Rebin(RadialRate source, double[] energy, double[] offset)
    {
        var wE = Overlaps(source.EnergyEdges, energy, (x0, x1) => x1 - x0);
        var wO = Overlaps(source.OffsetEdges, offset, (r0, r1) => Math.Cos(r0 * Deg) - Math.Cos(r1 * Deg));
        int nE = energy.Length - 1, nO = offset.Length - 1;
        var rate = new double[nE, nO];
        for (int j = 0; j < nE; j++)
            for (int k = 0; k < nO; k++)
            {
                double content = 0, measure = 0;
                foreach (var (i, we) in wE[j])
                    foreach (var (l, wo) in wO[k])
                    {
                        content += source.Rate[i, l] * we * wo;
                        measure += we * wo;
                    }
                rate[j, k] = measure > 0 ? content / measure : 0;
            }
        return new RadialRate(energy, offset, rate);
    }

    /// <summary>For each target bin: the source bins overlapping it and the measure of the overlap.</summary>
    private static List<(int Source, double Measure)>[] Overlaps(double[] source, double[] target, Func<double, double, double> measure)
    {
        var result = new List<(int, double)>[target.Length - 1];
        for (int j = 0; j < result.Length; j++)
        {
            result[j] = [];
            for (int i = 0; i < source.Length - 1; i++)
            {
                double x0 = Math.Max(source[i], target[j]), x1 = Math.Min(source[i + 1], target[j + 1]);
                if (x1 > x0) result[j].Add((i, measure(x0, x1)));
            }
        }
        return result;
    }
}
