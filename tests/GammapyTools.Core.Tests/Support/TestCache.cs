using System.Runtime.CompilerServices;

namespace GammapyTools.Tests.Support;

/// <summary>
/// The tests never write the user's background-index cache (~/.cache/gammapytools): before any test,
/// XDG_CACHE_HOME points at this run's scratch folder (removed when the run ends), unless it already
/// points elsewhere than the user's own cache (build.ps1 -Task Test sets it to TestResults/xdg-cache).
/// Child processes the tests start inherit it.
/// </summary>
internal static class TestCache
{
    public static string UserCacheHome { get; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");

#pragma warning disable CA2255 // a test assembly's own set-up, before any test runs
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RedirectCache()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg) && !SameFolder(xdg, UserCacheHome)) return;
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(TestPaths.NewTempDir(), "xdg-cache"));
    }

    public static bool SameFolder(string a, string b) =>
        Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar);
}
