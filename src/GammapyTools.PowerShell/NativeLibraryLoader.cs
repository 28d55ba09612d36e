using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace GammapyTools.PowerShell;

/// <summary>
/// Finds SkiaSharp's and HarfBuzzSharp's native libraries (used by ScottPlot for PNG output) in the
/// module's <c>runtimes/&lt;rid&gt;/native</c> folders. pwsh ignores a module's deps.json, so without
/// this only a library lying next to the DLL would be found, and one package could serve one platform.
/// Runs when the module is imported (also when a cmdlet auto-loads it).
/// </summary>
public sealed class NativeLibraryLoader : IModuleAssemblyInitializer
{
    private static int _registered;

    public void OnImport() => Register();

    /// <summary>Hooks the resolver once per process (re-imports call OnImport again).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        string root = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location)!;
        // The event is raised on the load context of the assembly that calls into native code
        // (SkiaSharp, HarfBuzzSharp): pwsh loads module dependencies into the default one.
        var contexts = new HashSet<AssemblyLoadContext> { AssemblyLoadContext.Default };
        if (AssemblyLoadContext.GetLoadContext(typeof(NativeLibraryLoader).Assembly) is { } own) contexts.Add(own);
        foreach (var context in contexts)
            context.ResolvingUnmanagedDll += (assembly, name) => Resolve(root, name);
    }

    /// <summary>Loads <paramref name="name"/> from runtimes/&lt;rid&gt;/native under <paramref name="root"/>; zero when absent.</summary>
    internal static IntPtr Resolve(string root, string name)
    {
        foreach (string path in Candidates(root, name))
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out IntPtr handle)) return handle;
        return IntPtr.Zero;
    }

    /// <summary>Paths tried for a library name, most specific RID first (osx ships one universal binary).</summary>
    internal static IEnumerable<string> Candidates(string root, string name)
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string extension = os switch { "win" => ".dll", "osx" => ".dylib", _ => ".so" };
        string file = Path.HasExtension(name) && Path.GetExtension(name) == extension ? name : name + extension;
        foreach (string rid in new[] { RuntimeInformation.RuntimeIdentifier, $"{os}-{arch}", os }.Distinct())
            yield return Path.Combine(root, "runtimes", rid, "native", file);
    }
}
