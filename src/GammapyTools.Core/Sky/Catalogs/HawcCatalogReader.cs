namespace GammapyTools.Sky;

/// <summary>
/// Reads the Third HAWC catalog (<c>3HWC.ecsv</c>, as distributed with gammapy's data files).
/// Position: <c>ra</c>/<c>dec</c> (deg). Extension: <c>spec0_radius</c> (deg), the disk radius the
/// spectrum assumes — 0 means point-like, as in gammapy's <c>SourceCatalogObject3HWC.is_pointlike</c>.
/// The catalog's <c>search_radius</c> (0, 0.5 or 1°, Table 2 of the paper) is the radius it was
/// searched with, not a size; it is used only where <c>spec0_radius</c> is missing (NaN).
/// </summary>
public static class HawcCatalogReader
{
    public const string CatalogName = "3HWC";

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a readable 3HWC ECSV table; the message names the file.</exception>
    public static IReadOnlyList<CatalogSource> Read(string path)
    {
        var t = EcsvTable.Read(path);
        int name = t.RequireColumn("source_name"), ra = t.RequireColumn("ra"), dec = t.RequireColumn("dec");
        int radius = t.IndexOf("spec0_radius"), search = t.IndexOf("search_radius");
        string catalog = t.CatalogName ?? CatalogName;
        var result = new List<CatalogSource>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            double r = t.GetDouble(i, ra), d = t.GetDouble(i, dec);
            string n = t.GetString(i, name).Trim();
            if (!double.IsFinite(r) || !double.IsFinite(d) || d < -90 || d > 90)
                throw new FormatException($"{t.Path}: row {i + 1} ({n}): invalid position ra={r}, dec={d}");
            double ext = radius >= 0 ? t.GetDouble(i, radius) : double.NaN;
            if (double.IsNaN(ext) && search >= 0) ext = t.GetDouble(i, search);
            result.Add(new CatalogSource(n, [], new SkyCoord(r, d), double.IsFinite(ext) && ext > 0 ? ext : null, catalog));
        }
        return result;
    }
}
