using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fuzz;

/// <summary>
/// The fuzz test of issue 9 in CI: 20,000 seeded cases (see <see cref="FuzzEngine"/>). On demand,
/// many more: <c>GAMMAPY_FUZZ_CASES=1000000 dotnet test tests/GammapyTools.Core.Tests -c Release
/// --filter "FullyQualifiedName~FuzzTests"</c> (<c>GAMMAPY_FUZZ_SEED</c> picks another seed,
/// <c>GAMMAPY_FUZZ_FIRST</c> the first case number, to shard a long run), or bench/Invoke-Fuzz.ps1.
/// </summary>
[Collection(FuzzCollection.Name)]
public class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_DL3_and_index_files_give_only_typed_errors()
    {
        long cases = Env("GAMMAPY_FUZZ_CASES", 20_000);
        long first = Env("GAMMAPY_FUZZ_FIRST", 0);
        int seed = (int)Env("GAMMAPY_FUZZ_SEED", 9);
        var report = FuzzEngine.Run(first, cases, seed, TimeSpan.FromSeconds(60), Math.Max(2, Environment.ProcessorCount));
        output.WriteLine(report.ToString());
        output.WriteLine("time by area: " + string.Join(", ", report.Areas.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value.Cases} cases, {a.Value.Milliseconds / a.Value.Cases:0.00} ms each")));
        output.WriteLine("seeds: " + string.Join(", ", FuzzCorpus.Instance.Seeds.Select(s => $"{s.Name} {s.Plain.Length / 1024} KB")));
        string? resultFile = Environment.GetEnvironmentVariable("GAMMAPY_FUZZ_REPORT");
        if (!string.IsNullOrEmpty(resultFile)) File.AppendAllText(resultFile, $"seed {seed}, cases {first}..{first + cases - 1}: {report}{Environment.NewLine}");
        foreach (var v in report.Violations.Take(10)) output.WriteLine($"{v.Description}: {v.Outcome}: {v.Violation}");
        Assert.Empty(report.Violations);
        Assert.Equal(cases, report.Cases);
        // The mutations must reach both sides: files that still work, and each error type.
        Assert.True(report.Outcomes.GetValueOrDefault("success") > cases / 20, report.ToString());
        Assert.True(report.Outcomes.Where(o => o.Key.StartsWith("FitsException", StringComparison.Ordinal)).Sum(o => o.Value) > cases / 5, report.ToString());
        Assert.True(report.Outcomes.GetValueOrDefault("FovConversionException") > 0, report.ToString());
    }

    private static long Env(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), out long v) ? v : fallback;
}

/// <summary>
/// The fuzz test keeps both cores busy for a while: it runs alone, after the parallel tests, so that
/// it neither slows nor is slowed by the suite's timing tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz (alone)";
}
