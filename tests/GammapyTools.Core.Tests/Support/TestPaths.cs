using System.Diagnostics;

namespace GammapyTools.Tests.Support;

/// <summary>Where the tests find their data and the independent programs they compare against.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "tests", "data", .. parts]);

    /// <summary>The team's shared data folder (../shared/data beside the clone), or null when absent.</summary>
    public static string? SharedData
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    public static string InteropScript(string name) => Path.Combine(RepoRoot, "tests", "interop", name);

    /// <summary>This test run's scratch folder; removed when the test process ends.</summary>
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "gpt-tests", $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    });

    public static string NewTempDir()
    {
        var dir = Path.Combine(RunRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GammapyTools.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (GammapyTools.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Runs the independent oracles: Debian's python3 with astropy/gammapy, and HEASARC's fitsverify.
/// A test that needs one calls <see cref="Require"/> first (and is a <c>[SkippableFact]</c>): where the
/// oracle is missing the test is reported as SKIPPED, and in CI (CI=true, where .ci/run installs them
/// all) it FAILS, so a broken set-up can never pass silently.
/// </summary>
public static class Oracles
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> _astropy = new(() => File.Exists(Python) && Run(Python, ["-c", "import astropy"], out _) == 0);
    private static readonly Lazy<bool> _numpy = new(() => File.Exists(Python) && Run(Python, ["-c", "import numpy"], out _) == 0);
    private static readonly Lazy<bool> _gammapy = new(() => File.Exists(Python) && Run(Python, ["-c", "import gammapy"], out _) == 0);
    private static readonly Lazy<bool> _scipy = new(() => File.Exists(Python) && Run(Python, ["-c", "import scipy"], out _) == 0);
    private static readonly Lazy<string?> _fitsverify = new(() =>
        new[] { "/usr/bin/fitsverify", "/usr/local/bin/fitsverify" }.FirstOrDefault(File.Exists));
    private static readonly Lazy<bool> _slurm = new(() =>
    {
        try { return Run("sinfo", ["-h"], out _, 30) == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }   // sinfo not installed
    });

    public static bool HasAstropy => _astropy.Value;
    public static bool HasGammapy => _gammapy.Value;
    public static bool HasNumpy => _numpy.Value;
    public static bool HasScipy => _scipy.Value;
    public static string? FitsVerify => _fitsverify.Value;

    /// <summary>True when the tests run in CI (CI=true): there a missing oracle is a failure, not a skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Makes the calling <c>[SkippableFact]</c>/<c>[SkippableTheory]</c> stop here as SKIPPED when
    /// <paramref name="oracle"/> is missing (FAILED in CI). Call it before the part that needs it;
    /// a test that checks something without the oracle first and the oracle part last calls it
    /// between the two (the whole test is then reported skipped, never passed).
    /// </summary>
    public static void Require(Oracle oracle)
    {
        var (available, what) = oracle switch
        {
            Oracle.Astropy => (HasAstropy, "astropy (Debian python3-gammapy, run as /usr/bin/python3)"),
            Oracle.Numpy => (HasNumpy, "numpy (Debian python3-gammapy, run as /usr/bin/python3)"),
            Oracle.Scipy => (HasScipy, "scipy (Debian python3-gammapy, run as /usr/bin/python3)"),
            Oracle.Gammapy => (HasGammapy, "gammapy (Debian python3-gammapy, run as /usr/bin/python3)"),
            Oracle.FitsVerify => (FitsVerify is not null, "fitsverify (Debian fitsverify)"),
            Oracle.SharedData => (TestPaths.SharedData is not null, "../shared/data beside the clone"),
            Oracle.Slurm => (_slurm.Value, "a running Slurm (sbatch, sinfo answers)"),
            _ => throw new ArgumentOutOfRangeException(nameof(oracle)),
        };
        // GAMMAPYTOOLS_TEST_HIDE=fitsverify,gammapy,... (or "all") pretends oracles are missing, to
        // check that the suite reports them as skipped (and as failures with CI=true).
        string hide = Environment.GetEnvironmentVariable("GAMMAPYTOOLS_TEST_HIDE") ?? "";
        if (hide.Split(',', StringSplitOptions.TrimEntries).Any(h => h.Equals("all", StringComparison.OrdinalIgnoreCase)
            || h.Equals(oracle.ToString(), StringComparison.OrdinalIgnoreCase))) available = false;
        if (available) return;
        if (InCi) Assert.Fail($"CI=true but {what} is missing: .ci/run must install/start it.");
        Skip.If(true, $"{what} is missing");
    }

    /// <summary>The shared H.E.S.S./MAGIC data folder; skips (fails in CI) when it is absent.</summary>
    public static string RequireSharedData()
    {
        Require(Oracle.SharedData);
        return TestPaths.SharedData!;
    }

    public static int Run(string exe, IEnumerable<string> args, out string output, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(true);
            output = $"timed out after {timeoutSeconds} s";
            return -1;
        }
        output = stdout.Result + stderr.Result;
        return p.ExitCode;
    }

    /// <summary>Runs a script of tests/interop with Debian's python3; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) RunPython(string script, params string[] args)
    {
        int code = Run(Python, [TestPaths.InteropScript(script), .. args], out var output);
        return (code, output);
    }

    /// <summary>fitsverify's verdict on a file: (errors, warnings, full report).</summary>
    public static (int Errors, int Warnings, string Report) Verify(string path)
    {
        Run(FitsVerify!, ["-l", path], out var report);
        // The report ends with "**** Verification found N warning(s) and M error(s). ****"
        var m = System.Text.RegularExpressions.Regex.Match(report, @"Verification found (\d+) warning\(s\) and (\d+) error\(s\)");
        if (!m.Success) return (-1, -1, report);
        return (int.Parse(m.Groups[2].Value), int.Parse(m.Groups[1].Value), report);
    }
}

/// <summary>What a test may depend on beyond the repository (see <see cref="Oracles.Require"/>).</summary>
public enum Oracle { Astropy, Numpy, Scipy, Gammapy, FitsVerify, SharedData, Slurm }
