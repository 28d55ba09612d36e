namespace GammapyTools.Config;

/// <summary>
/// "Did you mean …?" for unknown config keys and sections: the known name of the same section at the
/// smallest edit distance (case ignored), or the same name in another section (a key put under the
/// wrong section). A misspelt key otherwise only warns while the run silently uses the default.
/// </summary>
public static class ConfigSpelling
{
    /// <summary>The qualified known name the user probably meant, or null when nothing is close.</summary>
    /// <param name="section">The section the unknown name is in ("" for the top level).</param>
    /// <param name="name">The unknown key or section name as written.</param>
    public static string? Suggest(string section, string name)
    {
        var sameSection = section.Length == 0 ? ConfigSchema.TopLevel : ConfigSchema.KeysOf(section);
        string? close = sameSection is null ? null : Closest(name, sameSection.Select(k => k.Name));
        if (close is not null) return section.Length == 0 ? close : section + "." + close;
        if (section.Length == 0 || sameSection is null) return null;
        // A known key of another section, spelt right (or nearly) but put in the wrong place.
        foreach (var top in ConfigSchema.TopLevel.Where(k => k.Kind == ConfigValueKind.Section))
        {
            string? other = Closest(name, ConfigSchema.KeysOf(top.Name)!.Select(k => k.Name));
            if (other is not null) return top.Name + "." + other;
        }
        return null;
    }

    /// <summary>The candidate at the smallest edit distance, if that distance is small for the name's length.</summary>
    private static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates)
        {
            int d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        // One edit for short names, up to three for long ones: "n_mimc" → n_mimic, "outdir" → out_dir,
        // but "seed" is not "e_bins".
        int allowed = Math.Clamp(name.Length / 4, 1, 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
