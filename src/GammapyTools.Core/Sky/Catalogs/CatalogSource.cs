namespace GammapyTools.Sky;

/// <summary>A gamma-ray source of a catalog (gamma-cat, 3HWC, …).</summary>
/// <param name="Name">The catalog's main name (gamma-cat <c>common_name</c>, 3HWC <c>source_name</c>).</param>
/// <param name="Aliases">Other names the source goes by (gamma-cat <c>gamma_names</c>, <c>other_names</c>, <c>tevcat_name</c>).</param>
/// <param name="Position">ICRS position.</param>
/// <param name="ExtensionRadius">Angular size in degrees as the catalog defines it; null for a point-like source.</param>
/// <param name="Catalog">The catalog's name ("gamma-cat", "3HWC").</param>
public sealed record CatalogSource(string Name, IReadOnlyList<string> Aliases, SkyCoord Position, double? ExtensionRadius, string Catalog)
{
    /// <summary>The main name followed by the aliases.</summary>
    public IEnumerable<string> AllNames => Aliases.Prepend(Name);

    public override string ToString() => $"{Name} ({Catalog}) {Position}" + (ExtensionRadius is { } r ? $" r={r:0.###}°" : "");
}

/// <summary>A star of a bright-star list (Hipparcos).</summary>
/// <param name="Position">ICRS (J2000) position.</param>
/// <param name="VMag">Visual magnitude V.</param>
/// <param name="Hip">Hipparcos catalogue number.</param>
/// <param name="BMinusV">Colour index B−V (NaN when the list has none).</param>
public sealed record StarEntry(SkyCoord Position, double VMag, int Hip, double BMinusV = double.NaN)
{
    public override string ToString() => $"HIP {Hip} V={VMag:0.00} {Position}";
}
