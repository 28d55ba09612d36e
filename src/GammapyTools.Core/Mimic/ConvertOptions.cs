using GammapyTools.Sky;

namespace GammapyTools.Mimic;

/// <summary>What <see cref="FovConverter.Convert"/> writes and how (DESIGN.md §5 "Re-pointing").</summary>
public sealed class ConvertOptions
{
    /// <summary>gammapy-tools' scramble radius (degrees), used when none is given.</summary>
    public const double DefaultScrambleTheta = 0.3;

    /// <summary>Folder for the output; the file takes the target run's file name (see <see cref="NameByBackground"/>). Ignored when <see cref="OutputPath"/> is set.</summary>
    public string? Destination { get; init; }
    /// <summary>
    /// Name outputs in <see cref="Destination"/> <c>&lt;target stem&gt;_bkg&lt;background OBS_ID&gt;&lt;ext&gt;</c>, so that several
    /// background runs mimicking one target never share a file (Convert-Fov with more than one background run).
    /// </summary>
    public bool NameByBackground { get; init; }
    /// <summary>Explicit output file (".gz" gives a gzip-compressed file).</summary>
    public string? OutputPath { get; init; }
    /// <summary>Replace the output's background HDU by the target run's (any class, bkg_2d or bkg_3d).</summary>
    public bool CopyBackground { get; init; }
    /// <summary>Overwrite an existing output file.</summary>
    public bool Force { get; init; }
    /// <summary>Known sources to scramble out of the background run (positions or catalog names).</summary>
    public IReadOnlyList<string> ScramblePoints { get; init; } = [];
    /// <summary>Scramble radii in degrees: one for all sources, or one per source.</summary>
    public IReadOnlyList<double> ScrambleTheta { get; init; } = [];
    /// <summary>Catalog files for name resolution; empty = the defaults under $GAMMAPY_DATA.</summary>
    public IReadOnlyList<string> CatalogPaths { get; init; } = [];
    /// <summary>An already loaded catalog set (takes precedence over <see cref="CatalogPaths"/>).</summary>
    public CatalogSet? Catalogs { get; init; }
    /// <summary>Seed of the scrambling random stream; null draws one (it is recorded in HISTORY).</summary>
    public long? Seed { get; init; }

    /// <summary>Further HISTORY lines for the output's EVENTS header (e.g. what a mimic campaign measured).</summary>
    public IReadOnlyList<string> History { get; init; } = [];

    /// <summary>Already resolved scramble sources (then <see cref="ScramblePoints"/> and <see cref="ScrambleTheta"/> are ignored).</summary>
    public IReadOnlyList<ScrambleSource>? Sources { get; init; }

    /// <summary>The output file for a target run mimicked by background run <paramref name="backgroundObsId"/>.</summary>
    public string ResolveOutputPath(string targetPath, long backgroundObsId)
    {
        if (!string.IsNullOrWhiteSpace(OutputPath)) return Path.GetFullPath(OutputPath);
        if (string.IsNullOrWhiteSpace(Destination))
            throw new FovConversionException("give a destination folder or an output path");
        string name = Path.GetFileName(targetPath);
        if (NameByBackground) name = BackgroundFileName(name, backgroundObsId);
        return Path.GetFullPath(Path.Combine(Destination, name));
    }

    /// <summary><c>run_1.fits.gz</c> mimicked by run 42 → <c>run_1_bkg42.fits.gz</c> (the extension, with any .gz, is kept).</summary>
    public static string BackgroundFileName(string targetFileName, long backgroundObsId)
    {
        string ext = "";
        string stem = targetFileName;
        if (stem.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) { ext = stem[^3..]; stem = stem[..^3]; }
        string inner = Path.GetExtension(stem);
        stem = stem[..^inner.Length];
        return $"{stem}_bkg{backgroundObsId}{inner}{ext}";
    }

    /// <summary>
    /// Pairs scramble points with radii: one radius for all, or one per point; anything else is an error.
    /// Names are resolved with <see cref="Catalogs"/>, else catalogs loaded from <see cref="CatalogPaths"/> only when a point is not a coordinate.
    /// </summary>
    public IReadOnlyList<ScrambleSource> ResolveScrambleSources()
    {
        if (Sources is not null) return Sources;
        if (ScramblePoints.Count == 0)
        {
            if (ScrambleTheta.Count > 0) throw new FovConversionException("a scramble radius was given without a scramble point");
            return [];
        }
        if (ScrambleTheta.Count == 0)
            throw new FovConversionException($"{ScramblePoints.Count} scramble point(s) but no scramble radius (theta): give one radius for all or one per point");
        if (ScrambleTheta.Count != 1 && ScrambleTheta.Count != ScramblePoints.Count)
            throw new FovConversionException(
                $"{ScramblePoints.Count} scramble point(s) but {ScrambleTheta.Count} radii (theta): give one radius for all points or exactly one per point");
        foreach (double t in ScrambleTheta)
            if (!double.IsFinite(t) || t <= 0 || t >= 90)
                throw new FovConversionException($"scramble radius {t} is not a positive angle in degrees below 90");
        CatalogSet? catalogs = Catalogs;
        var result = new List<ScrambleSource>();
        for (int i = 0; i < ScramblePoints.Count; i++)
        {
            string text = ScramblePoints[i];
            if (string.IsNullOrWhiteSpace(text)) throw new FovConversionException("a scramble point is empty");
            SkyCoord position;
            if (SkyCoord.TryParse(text, out var c)) position = c;
            else
            {
                catalogs ??= CatalogSet.Load(CatalogPaths);
                try { position = catalogs.Resolve(text).Position; }
                catch (SourceNotFoundException e) { throw new FovConversionException($"scramble point: {e.Message}", e); }
            }
            result.Add(new ScrambleSource(text.Trim(), position, ScrambleTheta.Count == 1 ? ScrambleTheta[0] : ScrambleTheta[i]));
        }
        return result;
    }
}

/// <summary>A known source to scramble: its name as given, position, and radius θ (degrees).</summary>
public sealed record ScrambleSource(string Name, SkyCoord Position, double Theta);

/// <summary>A conversion that cannot be done as asked (bad options, unusable input); the message says why.</summary>
public sealed class FovConversionException : Exception
{
    public FovConversionException(string message, Exception? inner = null) : base(message, inner) { }
    public string? FilePath { get; init; }
}

/// <summary>What one scrambled source did.</summary>
public sealed record ScrambleReport(ScrambleSource Source, double Distance, int AnnulusEvents, int SourceCircleEvents, int ProfileEvents);

/// <summary>The result of one conversion.</summary>
public sealed record ConvertResult(string OutputPath, Dl3.Run Run, long Events, SkyCoord From, SkyCoord To,
    string? BackgroundClass, long Seed, IReadOnlyList<ScrambleReport> Scrambled)
{
    /// <summary>What the conversion could not do as it should (e.g. ALT/AZ of scrambled events left as they were).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
