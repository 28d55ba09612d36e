namespace GammapyTools.Sky;

internal static class CatalogFiles
{
    /// <summary>Throws the one clear error for a catalog that is not there.</summary>
    public static void RequireExists(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"catalog file not found: {Path.GetFullPath(path)}", Path.GetFullPath(path));
    }
}
