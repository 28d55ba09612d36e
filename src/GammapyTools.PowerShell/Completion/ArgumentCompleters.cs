using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using GammapyTools.Sky;

namespace GammapyTools.PowerShell.Completion;

/// <summary>
/// Tab completion of parameter values: OBS_IDs from a data store's index, source names from the
/// catalogs, catalog files. Completers run on every Tab press, so they read only indexes and cache
/// catalogs by file; any failure completes nothing rather than printing an error at the prompt.
/// </summary>
internal static class CompletionPaths
{
    /// <summary>A path typed at the prompt, relative to PowerShell's current location.</summary>
    public static string Resolve(string path)
    {
        // pwsh does not move the process's current directory with Set-Location: ask the session.
        string location = Environment.CurrentDirectory;
        try
        {
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Microsoft.PowerShell.Management\\Get-Location").AddParameter("PSProvider", "FileSystem");
            if (ps.Invoke().FirstOrDefault()?.BaseObject is PathInfo current && !string.IsNullOrEmpty(current.ProviderPath))
                location = current.ProviderPath;
        }
        catch (Exception e) when (e is InvalidOperationException or RuntimeException) { }   // no runspace on this thread
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(location, path));
    }

    /// <summary>The string values of a bound parameter (one string or an array of them).</summary>
    public static IEnumerable<string> Strings(IDictionary bound, string name)
    {
        object? value = bound.Contains(name) ? bound[name] : null;
        if (value is PSObject ps) value = ps.BaseObject;
        return value switch
        {
            string s => [s],
            IEnumerable e => e.Cast<object?>().Select(o => (o is PSObject p ? p.BaseObject : o)?.ToString()).OfType<string>(),
            _ => [],
        };
    }

    /// <summary>Quotes a completion that holds characters PowerShell would split on.</summary>
    public static string Quote(string text) =>
        text.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or ',' or ';' or '(' or ')' or '{' or '}' or '$' or '`' or '&' or '|' or '@' or '#')
            ? "'" + text.Replace("'", "''") + "'" : text;
}

/// <summary>-ObsId: the runs of the <c>-DataStore</c> already typed, with their object and date as tool tip.</summary>
public sealed class ObsIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? folder = CompletionPaths.Strings(fakeBoundParameters, "DataStore").FirstOrDefault();
        if (folder is null) return [];
        try
        {
            var store = Dl3.DataStore.Open(CompletionPaths.Resolve(folder));
            return store.ObsIds
                .Where(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture).StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.Ordinal))
                .Select(id =>
                {
                    string text = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return new CompletionResult(text, text, CompletionResultType.ParameterValue, $"run {text} of {store.Root}");
                })
                .ToList();
        }
        catch (Exception e) when (e is Fits.FitsException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}

/// <summary>
/// -ScramblePoint: source names of gamma-cat and 3HWC (the files of <c>-Catalog</c>, else those under
/// $GAMMAPY_DATA), matched like <see cref="CatalogSet.Resolve"/> ignoring case, spaces and hyphens.
/// </summary>
public sealed class SourceNameCompleter : IArgumentCompleter
{
    // Loading gamma-cat takes tens of milliseconds: keep sets by their files and modification times.
    private static readonly Dictionary<string, CatalogSet> Loaded = new(StringComparer.Ordinal);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var files = CompletionPaths.Strings(fakeBoundParameters, "Catalog").Select(CompletionPaths.Resolve).ToList();
            if (files.Count == 0) files = CatalogSet.DefaultPaths().ToList();
            if (files.Count == 0) return [];
            string key = string.Join("|", files.Select(f => f + "@" + File.GetLastWriteTimeUtc(f).Ticks));
            CatalogSet set;
            lock (Loaded)
            {
                if (!Loaded.TryGetValue(key, out set!)) Loaded[key] = set = CatalogSet.Load(files);
            }
            string typed = CatalogSet.Normalize(wordToComplete.Trim('\'', '"'));
            return set.Sources
                .SelectMany(s => s.AllNames.Select(n => (Name: n, Source: s)))
                .Where(x => CatalogSet.Normalize(x.Name).StartsWith(typed, StringComparison.Ordinal))
                .DistinctBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
                .OrderBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
                .Take(200)
                .Select(x => new CompletionResult(CompletionPaths.Quote(x.Name), x.Name, CompletionResultType.ParameterValue,
                    $"{x.Source.Name}: RA {x.Source.Position.Ra:0.###}°, Dec {x.Source.Position.Dec:0.###}°"))
                .ToList();
        }
        catch (Exception e) when (e is Fits.FitsException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return [];
        }
    }
}

/// <summary>-Catalog: catalog files (gamma-cat .fits[.gz], 3HWC .ecsv, Hipparcos .dat) matching what is typed, then the defaults under $GAMMAPY_DATA.</summary>
public sealed class CatalogFileCompleter : IArgumentCompleter
{
    private static readonly string[] Extensions = [".fits", ".fits.gz", ".fit", ".fit.gz", ".ecsv", ".dat", ".txt"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var results = new List<CompletionResult>();
        try
        {
            string typed = wordToComplete.Trim('\'', '"');
            string full = CompletionPaths.Resolve(typed.Length == 0 ? "." : typed);
            bool endsInFolder = typed.Length == 0 || typed.EndsWith('/') || typed.EndsWith(System.IO.Path.DirectorySeparatorChar);
            string folder = endsInFolder ? full : System.IO.Path.GetDirectoryName(full) ?? full;
            string prefix = endsInFolder ? "" : System.IO.Path.GetFileName(full);
            string shownFolder = endsInFolder ? typed : typed[..(typed.Length - prefix.Length)];
            if (Directory.Exists(folder))
            {
                foreach (var dir in Directory.EnumerateDirectories(folder, prefix + "*").Order(StringComparer.Ordinal))
                {
                    string text = shownFolder + System.IO.Path.GetFileName(dir) + "/";
                    results.Add(new CompletionResult(CompletionPaths.Quote(text), System.IO.Path.GetFileName(dir), CompletionResultType.ProviderContainer, dir));
                }
                foreach (var file in Directory.EnumerateFiles(folder, prefix + "*").Order(StringComparer.Ordinal))
                {
                    if (!Extensions.Any(x => file.EndsWith(x, StringComparison.OrdinalIgnoreCase))) continue;
                    string text = shownFolder + System.IO.Path.GetFileName(file);
                    results.Add(new CompletionResult(CompletionPaths.Quote(text), System.IO.Path.GetFileName(file), CompletionResultType.ProviderItem, file));
                }
            }
            if (typed.Length == 0)
                foreach (var file in CatalogSet.DefaultPaths())
                    results.Add(new CompletionResult(CompletionPaths.Quote(file), System.IO.Path.GetFileName(file), CompletionResultType.ProviderItem, $"default catalog ($GAMMAPY_DATA): {file}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        return results;
    }
}
