using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>Version of the module, its core library and the runtime it runs on.</summary>
public sealed class GammapyToolsVersionInfo
{
    public string ModuleVersion { get; init; } = "";
    public string CoreVersion { get; init; } = "";
    public string PowerShellVersion { get; init; } = "";
    public string Runtime { get; init; } = "";
    public string OS { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string ModulePath { get; init; } = "";
}

/// <summary>One GammapyTools assembly as loaded in this session.</summary>
public sealed class GammapyToolsAssemblyInfo
{
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string InformationalVersion { get; init; } = "";
    public string Location { get; init; } = "";
}

/// <summary>
/// <para type="synopsis">Gets the GammapyTools module, core and runtime versions.</para>
/// Full help lives in module/en-US/GammapyTools.PowerShell.dll-Help.xml.
/// </summary>
[Cmdlet(VerbsCommon.Get, "GammapyToolsVersion")]
[OutputType(typeof(GammapyToolsVersionInfo), typeof(GammapyToolsAssemblyInfo))]
public sealed class GetGammapyToolsVersionCommand : GammapyCmdlet
{
    /// <summary>List the GammapyTools assemblies (name, version, location) instead of the summary object.</summary>
    [Parameter]
    public SwitchParameter ListAssembly { get; set; }

    protected override void EndProcessing()
    {
        Assembly cmdlets = typeof(GetGammapyToolsVersionCommand).Assembly;
        Assembly? core = LoadCore(cmdlets);

        if (ListAssembly.IsPresent)
        {
            foreach (Assembly? a in new[] { cmdlets, core })
            {
                if (a is not null)
                {
                    WriteObject(Describe(a));
                }
            }
        }
        else
        {
            WriteObject(new GammapyToolsVersionInfo
            {
                ModuleVersion = MyInvocation.MyCommand.Module?.Version?.ToString() ?? VersionOf(cmdlets),
                CoreVersion = core is null ? "(not found)" : VersionOf(core),
                PowerShellVersion = PowerShellVersionString(),
                Runtime = RuntimeInformation.FrameworkDescription,
                OS = RuntimeInformation.OSDescription,
                Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
                ModulePath = cmdlets.Location,
            });
        }
        base.EndProcessing();
    }

    /// <summary>
    /// The core assembly: already loaded, or loaded from next to this DLL (the cmdlet
    /// assembly references it, but until cmdlets call into it the runtime has not loaded it).
    /// </summary>
    private static Assembly? LoadCore(Assembly cmdlets)
    {
        const string name = "GammapyTools.Core";
        Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
        if (loaded is not null)
        {
            return loaded;
        }
        try
        {
            return System.Reflection.Assembly.Load(new AssemblyName(name));
        }
        catch (Exception) when (File.Exists(Path.Combine(Path.GetDirectoryName(cmdlets.Location) ?? ".", name + ".dll")))
        {
            return System.Reflection.Assembly.LoadFrom(Path.Combine(Path.GetDirectoryName(cmdlets.Location)!, name + ".dll"));
        }
        catch (Exception)
        {
            return null;
        }
    }

    private string PowerShellVersionString()
    {
        object? table = SessionState.PSVariable.GetValue("PSVersionTable");
        if (table is PSObject pso)
        {
            table = pso.BaseObject;
        }
        return table is System.Collections.IDictionary t && t["PSVersion"] is object v ? v.ToString() ?? "" : "";
    }

    private static string VersionOf(Assembly a)
    {
        string? info = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return info ?? a.GetName().Version?.ToString() ?? "";
    }

    private static GammapyToolsAssemblyInfo Describe(Assembly a) => new()
    {
        Name = a.GetName().Name ?? "",
        Version = a.GetName().Version?.ToString() ?? "",
        InformationalVersion = VersionOf(a),
        Location = a.Location,
    };
}
