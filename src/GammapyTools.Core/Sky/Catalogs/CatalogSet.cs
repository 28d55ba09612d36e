using System.Text;

namespace GammapyTools.Sky;

/// <summary>The result of <see cref="CatalogSet.Resolve"/>: a position, and the source when a name matched.</summary>
public readonly record struct ResolvedPosition(SkyCoord Position, CatalogSource? Source);

/// <summary>A source name that no loaded catalog knows; <see cref="Suggestions"/> holds the closest names.</summary>
public sealed class SourceNotFoundException(string name, IReadOnlyList<string> suggestions, string message)
    : KeyNotFoundException(message)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Suggestions { get; } = suggestions;
}

/// <summary>
/// The source catalogs (gamma-cat, 3HWC) and the bright-star list a run is analysed against:
/// name resolution for targets, and lookups by position for exclusion regions.
/// </summary>
public sealed class CatalogSet
{
    /// <summary>Environment variable of gammapy's data folder.</summary>
    public const string GammapyDataVariable = "GAMMAPY_DATA";

    private readonly List<CatalogSource> _sources = [];
    private readonly List<StarEntry> _stars = [];
    private readonly List<string> _files = [];
    // normalised name → sources (main names first, then aliases; in catalog load order)
    private readonly Dictionary<string, List<CatalogSource>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _displayName = new(StringComparer.Ordinal);

    public IReadOnlyList<CatalogSource> Sources => _sources;
    public IReadOnlyList<StarEntry> Stars => _stars;
    /// <summary>Full paths of the files loaded, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    public CatalogSet() { }

    public CatalogSet(IEnumerable<CatalogSource> sources, IEnumerable<StarEntry>? stars = null)
    {
        foreach (var s in sources) AddSource(s);
        if (stars is not null) _stars.AddRange(stars);
    }

    /// <summary>
    /// Loads catalogs. With <paramref name="explicitPaths"/> (non-empty), exactly those files, each by its
    /// kind: <c>.fits</c>/<c>.fits.gz</c> gamma-cat, <c>.ecsv</c> 3HWC-like, <c>.dat</c>/<c>.txt</c> the
    /// Hipparcos star list. Without, the gammapy data files when <c>$GAMMAPY_DATA</c> is set
    /// (<see cref="DefaultPaths"/>: gammapy-data layout or flat in <c>catalogs/</c>); none of them
    /// present gives an empty set (<see cref="MissingDefaults"/> says where they were looked for).
    /// </summary>
    /// <exception cref="FileNotFoundException">An explicit path does not exist ("catalog file not found: …").</exception>
    public static CatalogSet Load(IEnumerable<string>? explicitPaths = null)
    {
        var set = new CatalogSet();
        var paths = explicitPaths?.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        if (paths is null || paths.Count == 0) paths = DefaultPaths().ToList();
        foreach (var p in paths) set.LoadFile(p);
        return set;
    }

    /// <summary>
    /// Where each default catalog is looked for under <c>$GAMMAPY_DATA</c>, in order: the gammapy-data
    /// layout first (<c>catalogs/gammacat/gammacat.fits.gz</c>), then the same file lying flat in
    /// <c>catalogs/</c> (as users often copy it).
    /// </summary>
    private static readonly (string Kind, string[] RelativePaths)[] DefaultLocations =
    [
        ("gamma-cat", ["catalogs/gammacat/gammacat.fits.gz", "catalogs/gammacat.fits.gz"]),
        ("3HWC", ["catalogs/3HWC.ecsv", "catalogs/hawc/3HWC.ecsv"]),
        ("Hipparcos star list", ["catalogs/Hipparcos_MAG8_1997.dat", "catalogs/hipparcos/Hipparcos_MAG8_1997.dat"]),
    ];

    /// <summary>The default catalog files under <c>$GAMMAPY_DATA</c> that exist (one per kind).</summary>
    public static IEnumerable<string> DefaultPaths() => FindDefaults().Where(d => d.Path is not null).Select(d => d.Path!);

    /// <summary>
    /// One message per default catalog that was not found, naming the places looked at (or saying
    /// that <c>$GAMMAPY_DATA</c> is not set); empty when every default catalog was found.
    /// </summary>
    public static IReadOnlyList<string> MissingDefaults()
    {
        string? root = Environment.GetEnvironmentVariable(GammapyDataVariable);
        if (string.IsNullOrWhiteSpace(root))
            return [$"${GammapyDataVariable} is not set: no default catalogs (gamma-cat, 3HWC, Hipparcos star list) are loaded"];
        return FindDefaults().Where(d => d.Path is null)
            .Select(d => $"{d.Kind} catalog not found; looked for {string.Join(" and ", d.Looked)}")
            .ToList();
    }

    private static IEnumerable<(string Kind, string? Path, IReadOnlyList<string> Looked)> FindDefaults()
    {
        string? root = Environment.GetEnvironmentVariable(GammapyDataVariable);
        if (string.IsNullOrWhiteSpace(root)) yield break;
        foreach (var (kind, relative) in DefaultLocations)
        {
            var looked = relative.Select(r => Path.GetFullPath(Path.Combine(root, r))).ToList();
            yield return (kind, looked.FirstOrDefault(File.Exists), looked);
        }
    }

    /// <summary>Adds one catalog file, by its kind (see <see cref="Load"/>).</summary>
    public void LoadFile(string path)
    {
        CatalogFiles.RequireExists(path);
        string full = Path.GetFullPath(path);
        string lower = full.ToLowerInvariant();
        if (lower.EndsWith(".fits") || lower.EndsWith(".fits.gz") || lower.EndsWith(".fit") || lower.EndsWith(".fit.gz"))
            foreach (var s in GammaCatReader.Read(full)) AddSource(s);
        else if (lower.EndsWith(".ecsv"))
            foreach (var s in HawcCatalogReader.Read(full)) AddSource(s);
        else if (lower.EndsWith(".dat") || lower.EndsWith(".txt"))
            _stars.AddRange(HipparcosReader.Read(full));
        else
            throw new FormatException($"{full}: unknown catalog kind (expected .fits[.gz] gamma-cat, .ecsv 3HWC or .dat Hipparcos star list)");
        _files.Add(full);
    }

    private void AddSource(CatalogSource s)
    {
        _sources.Add(s);
        foreach (var name in s.AllNames)
        {
            string key = Normalize(name);
            if (key.Length == 0) continue;
            if (!_byName.TryGetValue(key, out var list)) _byName[key] = list = [];
            if (!list.Contains(s)) list.Add(s);
            _displayName.TryAdd(key, name);
        }
    }

    /// <summary>Name normalisation for matching: lower case, without spaces, hyphens and underscores.</summary>
    public static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
            if (!char.IsWhiteSpace(c) && c is not '-' and not '_') sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }

    /// <summary>
    /// A position from text: a coordinate string (see <see cref="SkyCoord.Parse"/>) or a source name.
    /// Names match the catalogs' names and aliases, ignoring case, spaces, hyphens and underscores.
    /// When no name matches exactly, a name that starts with the text's words ("Crab" → "Crab nebula")
    /// matches if it points to a single source. Among several sources of the same name, the main name
    /// wins over an alias, then the catalog loaded first (gamma-cat before 3HWC by default).
    /// </summary>
    /// <exception cref="SourceNotFoundException">No source of that name; the message lists up to 5 close names.</exception>
    public ResolvedPosition Resolve(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (SkyCoord.TryParse(text, out var coord)) return new ResolvedPosition(coord, null);
        if (SkyCoordParser.IsCoordinateOutOfRange(text, out string? rangeError))
            throw new SourceNotFoundException(text.Trim(), [], $"'{text.Trim()}' is a coordinate out of range: {rangeError}");
        var source = FindSource(text);
        if (source is not null) return new ResolvedPosition(source.Position, source);
        var suggestions = CloseMatches(text, 5);
        string message = $"no source named '{text.Trim()}' in the loaded catalogs" +
                         (_files.Count == 0 && _sources.Count == 0 ? " (no catalog is loaded: give catalog files or set GAMMAPY_DATA)" : "") +
                         (suggestions.Count > 0 ? "; close matches: " + string.Join(", ", suggestions) : "");
        throw new SourceNotFoundException(text.Trim(), suggestions, message);
    }

    /// <summary>The source of that name (see <see cref="Resolve"/>), or null.</summary>
    public CatalogSource? FindSource(string name)
    {
        string key = Normalize(name);
        if (key.Length == 0) return null;
        if (_byName.TryGetValue(key, out var exact))
            return exact.FirstOrDefault(s => Normalize(s.Name) == key) ?? exact[0];

        // Word-prefix match: the text's words are the first words of a name.
        var words = name.Split([' ', '-', '_', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || key.Length < 3) return null;
        var hits = new List<CatalogSource>();
        foreach (var s in _sources)
            foreach (var n in s.AllNames)
            {
                var nw = n.Split([' ', '-', '_', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (nw.Length > words.Length && words.Select((w, i) => string.Equals(w, nw[i], StringComparison.OrdinalIgnoreCase)).All(b => b))
                {
                    if (!hits.Contains(s)) hits.Add(s);
                    break;
                }
            }
        if (hits.Count == 0) return null;
        // One physical source may be in several catalogs: accept hits that all lie within 0.1° of the first.
        var first = hits[0];
        return hits.All(h => h.Position.SeparationTo(first.Position) < 0.1) ? first : null;
    }

    /// <summary>Up to <paramref name="count"/> known names closest to <paramref name="text"/> (edit distance of normalised names).</summary>
    public IReadOnlyList<string> CloseMatches(string text, int count = 5)
    {
        string key = Normalize(text);
        return _displayName
            .Select(kv => (Name: kv.Value, Distance: Distance(key, kv.Key, kv.Key.Contains(key, StringComparison.Ordinal))))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
            .Take(count).Select(x => x.Name).ToList();

        // A name that contains the text counts as close as the letters it adds at most.
        static int Distance(string a, string b, bool contains) =>
            contains ? Math.Min(b.Length - a.Length, Levenshtein(a, b)) : Levenshtein(a, b);
    }

    internal static int Levenshtein(string a, string b)
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>Sources whose position lies within <paramref name="radius"/> degrees of <paramref name="center"/> (their extension not counted).</summary>
    public IReadOnlyList<CatalogSource> SourcesWithin(SkyCoord center, double radius)
    {
        if (!(radius >= 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "the radius must be ≥ 0 degrees");
        return _sources.Where(s => s.Position.SeparationTo(center) <= radius).ToList();
    }

    /// <summary>Stars brighter than <paramref name="maxMagnitude"/> (V &lt; value) within <paramref name="radius"/> degrees, brightest first.</summary>
    public IReadOnlyList<StarEntry> StarsWithin(SkyCoord center, double radius, double maxMagnitude)
    {
        if (!(radius >= 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "the radius must be ≥ 0 degrees");
        return _stars.Where(s => s.VMag < maxMagnitude && s.Position.SeparationTo(center) <= radius)
                     .OrderBy(s => s.VMag).ToList();
    }
}
