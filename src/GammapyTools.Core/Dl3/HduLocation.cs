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
/// Recognises DL3 HDUs by their HDUCLAS1..4 keywords, never by EXTNAME: instruments name them
/// differently (BKG vs BACKGROUND, AEFF vs EFFECTIVE AREA).
/// </summary>
public static class HduClassifier
{
    /// <summary>(HDU_TYPE, HDU_CLASS) for a DL3 HDU, or null for anything else (the primary HDU, index tables, ...).</summary>
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

    /// <summary>Every DL3 HDU of a file, in file order.</summary>
    public static IReadOnlyList<HduLocation> Locate(FitsFile file)
    {
        var result = new List<HduLocation>();
        foreach (var hdu in file.Hdus)
            if (Classify(hdu.Header) is { } tc)
                result.Add(new HduLocation(tc.Type, tc.Class, file.Path, hdu.Name ?? hdu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return result;
    }

    /// <summary>The HDU of a file that a location names (by EXTNAME, case-insensitive, or by index).</summary>
    public static HduInfo Find(FitsFile file, HduLocation location)
    {
        var byName = file.Find(location.HduName);
        if (byName is not null) return byName;
        if (int.TryParse(location.HduName, out int index) && index >= 0 && index < file.Hdus.Count) return file.Hdus[index];
        // The index may name the HDU differently from the file; fall back to its class keywords.
        return file.Find(h => Classify(h) is { } tc && tc.Type == location.HduType)
            ?? throw new FitsException($"no {location.HduType} HDU named {location.HduName}", file.Path);
    }
}
