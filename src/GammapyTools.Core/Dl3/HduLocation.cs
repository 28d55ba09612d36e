using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// Where one HDU of a run lives: the GADF HDU_TYPE (events, gti, aeff, edisp, psf, bkg, rad_max),
/// its HDU_CLASS (events, gti, aeff_2d, edisp_2d, psf_table, bkg_2d, bkg_3d, rad_max_2d, ...),
/// the file, and the HDU's EXTNAME. This is one row of an hdu-index.
/// </summary>
public sealed record HduLocation(string HduType, string HduClass, string FilePath, string HduName)
{
    public override string ToString() => $"{HduType} ({HduClass}) {FilePath}[{HduName}]";
}

/// <summary>
/// Recognises DL3 HDUs by their HDUCLAS1..4 keywords: instruments name them differently (BKG vs
/// BACKGROUND, AEFF vs EFFECTIVE AREA). Only in a file with no HDUCLAS key at all (CTA 1DC, older
/// files) are the GADF EXTNAMEs used, and then the HDU's columns must fit the role. Two HDUs for one
/// role is an error naming the file and both HDUs, never a pick.
/// </summary>
public static class HduClassifier
{
    private static readonly string[] ClassKeys = ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"];

    /// <summary>(HDU_TYPE, HDU_CLASS) for a DL3 HDU by its HDUCLAS keys, or null for anything else (the primary HDU, index tables, ...).</summary>
    public static (string Type, string Class)? Classify(FitsHeader h)
    {
        string c1 = Upper(h, "HDUCLAS1"), c2 = Upper(h, "HDUCLAS2"), c4 = Upper(h, "HDUCLAS4");
        if (c1 == "EVENTS") return ("events", "events");
        if (c1 == "GTI") return ("gti", "gti");
        if (c1 != "RESPONSE") return null;
        return c2 switch
        {
            "EFF_AREA" => ("aeff", c4.Length > 0 ? c4.ToLowerInvariant() : "aeff_2d"),
            "EDISP" => ("edisp", c4.Length > 0 ? c4.ToLowerInvariant() : "edisp_2d"),
            "RPSF" or "PSF" => ("psf", c4.Length > 0 ? c4.ToLowerInvariant() : "psf_table"),
            "BKG" => ("bkg", c4.Length > 0 ? c4.ToLowerInvariant() : "bkg_2d"),
            "RAD_MAX" => ("rad_max", c4.Length > 0 ? c4.ToLowerInvariant() : "rad_max_2d"),
            _ => null,
        };
    }

    private static string Upper(FitsHeader h, string key) => (h.GetString(key) ?? "").Trim().ToUpperInvariant();

    /// <summary>True when the header has any HDUCLASS/HDUCLAS1..4 key.</summary>
    public static bool HasClassKeys(FitsHeader h) => ClassKeys.Any(h.Contains);

    /// <summary>
    /// (HDU_TYPE, HDU_CLASS) of an HDU without HDUCLAS keys, from its GADF EXTNAME, or null for a
    /// name that is no DL3 role. Throws when the name gives a role the columns do not fit (an
    /// events-like table named BACKGROUND).
    /// </summary>
    public static (string Type, string Class)? ClassifyByName(FitsHeader h, string path)
    {
        string name = Upper(h, "EXTNAME");
        string? type = name switch
        {
            "EVENTS" => "events",
            "GTI" => "gti",
            "EFFECTIVE AREA" or "AEFF" => "aeff",
            "ENERGY DISPERSION" or "EDISP" => "edisp",
            "PSF" or "POINT SPREAD FUNCTION" => "psf",
            "RAD_MAX" => "rad_max",
            "BACKGROUND" or "BKG" => "bkg",
            _ => null,
        };
        if (type is null) return null;
        var cols = ColumnNames(h);
        bool Has(params string[] names) => names.All(cols.Contains);
        string? cls = type switch
        {
            "events" => Has("RA", "DEC") ? "events" : null,
            "gti" => Has("START", "STOP") ? "gti" : null,
            "aeff" => Has("ENERG_LO", "ENERG_HI", "EFFAREA") ? "aeff_2d" : null,
            "edisp" => Has("ENERG_LO", "ENERG_HI", "MATRIX") ? "edisp_2d" : null,
            "psf" => Has("RPSF") ? "psf_table" : Has("SIGMA_1") ? "psf_3gauss" : Has("GAMMA", "SIGMA") ? "psf_king" : null,
            "rad_max" => Has("RAD_MAX") ? "rad_max_2d" : null,
            _ => BackgroundClass(cols),
        };
        return cls is null
            ? throw new FitsException($"HDU {h.GetString("EXTNAME")?.Trim()} has no HDUCLAS keys and its columns ({string.Join(", ", cols)}) are not those of a GADF {type} table", path)
            : (type, cls);
    }

    /// <summary>bkg_2d or bkg_3d when the columns are a GADF background table (BKG and its axes), else null.</summary>
    private static string? BackgroundClass(IReadOnlyCollection<string> cols)
    {
        if (!cols.Contains("BKG") || !cols.Contains("ENERG_LO") || !cols.Contains("ENERG_HI")) return null;
        if (cols.Contains("THETA_LO") && cols.Contains("THETA_HI")) return "bkg_2d";
        if (new[] { "DETX_LO", "DETX_HI", "DETY_LO", "DETY_HI" }.All(cols.Contains)) return "bkg_3d";
        return null;
    }

    /// <summary>
    /// Checks that an HDU given as a background model is one (BKG column, ENERG_LO/HI and the offset
    /// or DETX/DETY axes), so that no events table is ever copied in as a background model.
    /// </summary>
    public static void RequireBackgroundTable(FitsHeader h, string path)
    {
        var cols = ColumnNames(h);
        if (BackgroundClass(cols) is null)
            throw new FitsException($"HDU {h.GetString("EXTNAME")?.Trim()} is given as a background model but is not a GADF background table " +
                $"(needs BKG, ENERG_LO, ENERG_HI and THETA_LO/HI or DETX_LO/HI, DETY_LO/HI; has {string.Join(", ", cols)})", path);
    }

    /// <summary>Column names (TTYPEn) of a binary-table header, upper case.</summary>
    private static HashSet<string> ColumnNames(FitsHeader h)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        long n = h.GetLong("TFIELDS") ?? 0;
        for (int i = 1; i <= n; i++)
            if (h.GetString("TTYPE" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } t) names.Add(t.Trim().ToUpperInvariant());
        return names;
    }

    /// <summary>
    /// (HDU_TYPE, HDU_CLASS) of every HDU of one file, in order (null for non-DL3 HDUs): by HDUCLAS
    /// keys, or by EXTNAME when no HDU of the file has any. Two HDUs for one role is an error.
    /// </summary>
    public static (string Type, string Class)?[] ClassifyAll(IReadOnlyList<FitsHeader> headers, string path)
    {
        bool byName = !headers.Any(HasClassKeys);
        var result = headers.Select(h => byName ? ClassifyByName(h, path) : Classify(h)).ToArray();
        foreach (var group in Enumerable.Range(0, headers.Count).Where(i => result[i] is not null).GroupBy(i => result[i]!.Value.Type))
        {
            if (group.Count() < 2) continue;
            string list = string.Join(", ", group.Select(i => $"#{i} {headers[i].GetString("EXTNAME")?.Trim() ?? "(no EXTNAME)"}"));
            throw new FitsException($"the file has {group.Count()} {group.Key} HDUs ({list}){(byName ? " by their EXTNAMEs (the file has no HDUCLAS keys)" : " by their HDUCLAS keys")}; " +
                "which one is meant is ambiguous", path);
        }
        return result;
    }

    /// <summary>
    /// Writes the GADF class keys of a role into an HDU that has none (one classified by its
    /// EXTNAME), so that a file this product writes from it is classified the same way by its keys.
    /// </summary>
    public static void Stamp(FitsHeader h, string type, string cls)
    {
        if (HasClassKeys(h)) return;
        h.Set("HDUCLASS", "GADF", "Signal conformance with GADF");
        switch (type)
        {
            case "events": h.Set("HDUCLAS1", "EVENTS"); return;
            case "gti": h.Set("HDUCLAS1", "GTI"); return;
        }
        h.Set("HDUCLAS1", "RESPONSE");
        h.Set("HDUCLAS2", type switch { "aeff" => "EFF_AREA", "edisp" => "EDISP", "psf" => "RPSF", "bkg" => "BKG", _ => type.ToUpperInvariant() });
        h.Set("HDUCLAS4", cls.ToUpperInvariant());
    }

    /// <summary>Every DL3 HDU of a file, in file order.</summary>
    public static IReadOnlyList<HduLocation> Locate(FitsFile file)
    {
        var classes = ClassifyAll(file.Hdus.Select(h => h.Header).ToList(), file.Path);
        var result = new List<HduLocation>();
        for (int i = 0; i < classes.Length; i++)
            if (classes[i] is { } tc)
                result.Add(new HduLocation(tc.Type, tc.Class, file.Path, HduName(file.Hdus[i])));
        return result;
    }

    /// <summary>The name an hdu-index gives an HDU: its EXTNAME, or its index when it has none.</summary>
    public static string HduName(HduInfo hdu) => hdu.Name ?? hdu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The HDU of a file that a location names (by EXTNAME, case-insensitive, or by index). Of
    /// several HDUs with that name (a duplicate EXTNAME) the one of the location's role; a named
    /// HDU of another role is an error naming the HDUs, never a silent substitute.
    /// </summary>
    public static HduInfo Find(FitsFile file, HduLocation location)
    {
        var classes = ClassifyAll(file.Hdus.Select(h => h.Header).ToList(), file.Path);
        bool IsRole(HduInfo h) => classes[h.Index] is { } tc && tc.Type == location.HduType;
        var named = file.Hdus.Where(h => string.Equals(h.Name?.Trim(), location.HduName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (named.Count == 0 && int.TryParse(location.HduName, out int index) && index >= 0 && index < file.Hdus.Count) named.Add(file.Hdus[index]);
        var ofRole = named.Where(IsRole).ToList();
        if (ofRole.Count == 1) return ofRole[0];
        // The index's word for an HDU the file itself does not classify (no class keys, no GADF name).
        if (named.Count == 1 && classes[named[0].Index] is null) return named[0];
        // The index may name the HDU differently from the file: the file's only HDU of that role.
        if (named.Count == 0 && file.Hdus.Where(IsRole).ToList() is [var only]) return only;
        string Describe(IEnumerable<HduInfo> hs) => string.Join(", ", hs.Select(h => $"#{h.Index} {h.Name ?? "(no EXTNAME)"} ({classes[h.Index]?.Type ?? "not DL3"})"));
        throw new FitsException(named.Count == 0
            ? $"no {location.HduType} HDU named {location.HduName}"
            : $"the {location.HduType} HDU named {location.HduName} is ambiguous or of another role: {Describe(named)}", file.Path);
    }
}
