using GammapyTools.Background;
using System.Management.Automation;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Maps;
using GammapyTools.Sky;

using GammapyTools.PowerShell.Completion;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// Base of New-SkyMap and Test-MimicDataset: the sky-map parameters that override the config's
/// sky_map section (one rule for both: a parameter given replaces its key; see <see cref="SkyMapOverrides"/>),
/// -Position as coordinates or a catalog name, and the error records of runs left out of a map.
/// </summary>
public abstract class SkyMapCmdlet : GammapyCmdlet
{
    /// <summary>Map centre: 'ra dec' (degrees or sexagesimal) or a source name from the catalogs.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SourceNameCompleter))]
    public string? Position { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(CatalogFileCompleter))]
    public string[] Catalog { get; set; } = [];

    [Parameter] public double? EnergyMin { get; set; }
    [Parameter] public double? EnergyMax { get; set; }
    [Parameter] public int? EnergyBins { get; set; }
    [Parameter] public double? Width { get; set; }
    [Parameter] public double? BinSize { get; set; }
    [Parameter] public double? Theta { get; set; }
    [Parameter] public double? RingInnerRadius { get; set; }
    [Parameter] public double? RingWidth { get; set; }
    [Parameter] public double? OffsetMax { get; set; }
    [Parameter] public double? ExclusionRadius { get; set; }
    [Parameter] public string[]? ExclusionRegion { get; set; }

    /// <summary>Also exclude the catalogs' gamma-ray sources and the Hipparcos stars in the map, as the background models do.</summary>
    [Parameter] public SwitchParameter ExcludeKnownSources { get; set; }

    /// <summary>
    /// The explicit parameters as overrides of <paramref name="fromConfig"/> (the parameters the config
    /// or the defaults give). A position or region that cannot be read stops the command.
    /// </summary>
    protected SkyMapOverrides BuildOverrides(SkyMapParameters fromConfig)
    {
        var o = new SkyMapOverrides
        {
            EnergyMin = EnergyMin, EnergyMax = EnergyMax, EnergyBins = EnergyBins, Width = Width, BinSize = BinSize, Theta = Theta,
            RingInnerRadius = RingInnerRadius, RingWidth = RingWidth, OffsetMax = OffsetMax, ExclusionRadius = ExclusionRadius,
        };
        if (!string.IsNullOrWhiteSpace(Position)) o = o with { Position = ResolvePosition(Position) };
        if (ExcludeKnownSources) o = o with { CatalogExclusions = KnownSources() };
        if (ExclusionRegion is not null)
        {
            try { o = o with { ExclusionRegions = SkyMapOverrides.ParseRegions(ExclusionRegion, ExclusionRadius ?? fromConfig.ExclusionRadius) }; }
            catch (FormatException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "BadExclusionRegion", ErrorCategory.InvalidArgument, ExclusionRegion));
            }
        }
        return o;
    }

    /// <summary>
    /// -ExcludeKnownSources: the catalogs (-Catalog, else $GAMMAPY_DATA's) with the background models'
    /// radii (0.35° a point source, 3 × the size of an extended one, 0.35° a star of magnitude 8 or brighter).
    /// </summary>
    private ExclusionOptions KnownSources()
    {
        try
        {
            if (Catalog.Length == 0) WarnMissingDefaultCatalogs();
            var catalogs = Catalog.Length > 0 ? CatalogSet.Load(Catalog.Select(ResolveUserPath)) : CatalogSet.Load();
            return new ExclusionOptions { Catalogs = catalogs };
        }
        catch (Exception e) when (e is IOException or FitsException or FormatException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-ExcludeKnownSources: the catalogs cannot be read: {e.Message}", e), "CatalogUnreadable", ErrorCategory.ReadError, Catalog));
            throw; // not reached
        }
    }

    private SkyCoord ResolvePosition(string text)
    {
        if (SkyCoord.TryParse(text, out var c)) return c;
        try
        {
            if (Catalog.Length == 0) WarnMissingDefaultCatalogs();
            var catalogs = Catalog.Length > 0 ? CatalogSet.Load(Catalog.Select(ResolveUserPath)) : CatalogSet.Load();
            return catalogs.Resolve(text).Position;
        }
        catch (Exception e) when (e is SourceNotFoundException or IOException or FitsException or FormatException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Position '{text}': {e.Message}", e), "BadPosition", ErrorCategory.InvalidArgument, text));
            throw; // not reached
        }
    }

    /// <summary>
    /// -Config as New-SkyMap and Test-MimicDataset take it: a config object (a copy is used) or the path of
    /// a YAML file (its warnings written). Anything else, or an unreadable file, stops the command.
    /// </summary>
    protected GammapyToolsConfig LoadConfigArgument(object config, bool strict)
    {
        object value = config is PSObject ps ? ps.BaseObject : config;
        GammapyToolsConfig? cfg = null;
        switch (value)
        {
            case GammapyToolsConfig c:
                cfg = c.Clone();
                break;
            case string or FileInfo:
                string path = ResolveUserPath(value is FileInfo fi ? fi.FullName : (string)value);
                try { cfg = GammapyToolsConfig.Load(path); }
                catch (ConfigException e) { ThrowFileError(e, "ConfigUnreadable", ErrorCategory.InvalidData, path); }
                foreach (string warning in cfg!.Warnings) WriteWarning(warning);
                break;
            default:
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-Config takes a config (Import-GammapyToolsConfig) or the path of a YAML file, not {value.GetType().Name}"),
                    "BadConfigArgument", ErrorCategory.InvalidArgument, value));
                break;
        }
        if (strict) ConfigCmdlet.RequireKnownKeys(this, cfg!);
        return cfg!;
    }

    /// <summary>The config's sky-map parameters; a bad sky_map value stops the command naming the key.</summary>
    protected SkyMapParameters ParametersOf(GammapyToolsConfig? config)
    {
        if (config is null) return new SkyMapParameters();
        try { return SkyMapParameters.FromConfig(config); }
        catch (ConfigException e)
        {
            ThrowFileError(e, "BadSkyMapConfig", ErrorCategory.InvalidData, (object?)config.SourcePath ?? config);
            throw; // not reached
        }
    }

    /// <summary>
    /// A run left out of a map, as a non-terminating error whose target is the run and whose message
    /// names it once: "run 23523 (path): reason", prefixed with the dataset when there is one.
    /// </summary>
    protected static ErrorRecord RunError(Run run, Exception e, string? dataset = null)
    {
        string reason = e.Message;
        if (e is SkyMapException { ObsId: long id } && reason.StartsWith($"run {id}: ", StringComparison.Ordinal)) reason = reason[$"run {id}: ".Length..];
        else if (e is FitsException { FilePath: { } file } fits && file == run.Path) reason = fits.Reason;
        var category = e switch
        {
            FitsException or IOException or UnauthorizedAccessException => ErrorCategory.ReadError,
            KeyNotFoundException => ErrorCategory.ObjectNotFound,
            _ => ErrorCategory.InvalidData,
        };
        var record = new ErrorRecord(e, "RunNotMapped", category, run);
        record.ErrorDetails = new ErrorDetails($"{(dataset is null ? "" : dataset + ": ")}run {run.ObsId} ({run.Path}): {reason}");
        return record;
    }
}
