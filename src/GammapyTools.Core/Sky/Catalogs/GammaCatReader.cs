using GammapyTools.Fits;

namespace GammapyTools.Sky;

/// <summary>
/// Reads gamma-cat (<c>gammacat.fits.gz</c>, as distributed with gammapy's data files).
/// Position: <c>ra</c>/<c>dec</c> (deg). Extension: <c>morph_sigma</c> (deg) for the
/// <c>gauss</c> and <c>shell</c> morphologies (Gaussian sigma, shell radius), none for
/// <c>point</c>/<c>none</c> or when the value is missing (NaN).
/// Aliases: the comma-separated lists <c>gamma_names</c> and <c>other_names</c>, and <c>tevcat_name</c>.
/// </summary>
public static class GammaCatReader
{
    public const string CatalogName = "gamma-cat";

    private static readonly string[] Columns = ["common_name", "gamma_names", "other_names", "tevcat_name", "ra", "dec", "morph_type", "morph_sigma"];

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FitsException">The file is not a readable gamma-cat FITS table; the message names the file.</exception>
    public static IReadOnlyList<CatalogSource> Read(string path)
    {
        CatalogFiles.RequireExists(path);
        using var f = FitsFile.Open(path);
        var hdu = f.Hdus.FirstOrDefault(h => h.Kind == HduKind.BinaryTable)
                  ?? throw new FitsException("gamma-cat: the file has no binary table", f.Path);
        var table = ReadColumns(f, hdu);
        var names = Strings(table, "common_name", f.Path, required: true)!;
        var gammaNames = Strings(table, "gamma_names", f.Path, required: false);
        var otherNames = Strings(table, "other_names", f.Path, required: false);
        var tevcatNames = Strings(table, "tevcat_name", f.Path, required: false);
        var ra = Doubles(table, "ra", f.Path, required: true)!;
        var dec = Doubles(table, "dec", f.Path, required: true)!;
        var morphType = Strings(table, "morph_type", f.Path, required: false);
        var sigma = Doubles(table, "morph_sigma", f.Path, required: false);

        var result = new List<CatalogSource>(table.RowCount);
        for (int i = 0; i < table.RowCount; i++)
        {
            string name = (names[i] ?? "").Trim();
            if (!double.IsFinite(ra[i]) || !double.IsFinite(dec[i]) || dec[i] < -90 || dec[i] > 90)
                throw new FitsException($"gamma-cat row {i + 1} ({name}): invalid position ra={ra[i]}, dec={dec[i]}", f.Path, hdu.Index);
            var aliases = new List<string>();
            AddList(aliases, gammaNames?[i], name);
            AddList(aliases, otherNames?[i], name);
            AddList(aliases, tevcatNames?[i], name);
            string type = (morphType?[i] ?? "").Trim().ToLowerInvariant();
            double? ext = null;
            if (type is "gauss" or "shell" && sigma is not null && double.IsFinite(sigma[i]) && sigma[i] > 0) ext = sigma[i];
            result.Add(new CatalogSource(name, aliases, new SkyCoord(ra[i], dec[i]), ext, CatalogName));
        }
        return result;
    }

    private static BinaryTable ReadColumns(FitsFile f, HduInfo hdu)
    {
        // Read only the columns we use that the table has (a missing required one is reported below).
        var have = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int n = (int)(hdu.Header.GetLong("TFIELDS") ?? 0);
        for (int i = 1; i <= n; i++)
            if (hdu.Header.GetString($"TTYPE{i}") is { } t) have.Add(t.Trim());
        return f.ReadTable(hdu, Columns.Where(have.Contains)).Table;
    }

    private static void AddList(List<string> into, string? list, string mainName)
    {
        if (string.IsNullOrWhiteSpace(list)) return;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!string.Equals(part, mainName, StringComparison.OrdinalIgnoreCase) && !into.Contains(part, StringComparer.OrdinalIgnoreCase))
                into.Add(part);
    }

    private static string?[]? Strings(BinaryTable t, string column, string path, bool required)
    {
        var c = t.Find(column);
        if (c is null)
            return required ? throw new FitsException($"gamma-cat: the table has no column '{column}'", path) : null;
        return c.Data as string[] ?? throw new FitsException($"gamma-cat: column '{column}' is not a string column ({c.Format})", path);
    }

    private static double[]? Doubles(BinaryTable t, string column, string path, bool required)
    {
        var c = t.Find(column);
        if (c is null)
            return required ? throw new FitsException($"gamma-cat: the table has no column '{column}'", path) : null;
        try { return c.ToDoubles(); }
        catch (Exception e) when (e is InvalidCastException or NotSupportedException or InvalidOperationException)
        {
            throw new FitsException($"gamma-cat: column '{column}' is not numeric ({c.Format})", path, inner: e);
        }
    }
}
