using System.Runtime.InteropServices;
using GammapyTools.Bench;

// Usage: dotnet run -c Release --project bench/GammapyTools.Bench -- <name>|all|list [--reps N] [--warmup N]
IBenchmark[] benchmarks =
[
    new FitsReadBenchmark(),
    new RepointBenchmark(),
    new SimulateBenchmark(),
    new ConvertFovBenchmark(),
    new MimicDatasetBenchmark(),
    new MakeBackgroundBenchmark(),
    new BackgroundIndexBenchmark(),
    new SkyMapBenchmark(),
    new NullTestBenchmark(),
];

var names = new List<string>();
int? reps = null, warmups = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--reps": reps = int.Parse(args[++i]); break;
        case "--warmup": warmups = int.Parse(args[++i]); break;
        default: names.Add(args[i]); break;
    }
}
if (names.Count == 0 || names.Contains("list") || names.Contains("-h") || names.Contains("--help"))
{
    Console.WriteLine("usage: GammapyTools.Bench <name>|all [--reps N] [--warmup N]   (defaults 7 and 2; mimic-dataset, make-background: 3 and 0)");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-16} {b.Description}");
    return names.Count == 0 ? 2 : 0;
}
var selected = names.Contains("all") ? benchmarks.ToList() : names.Select(n =>
    benchmarks.FirstOrDefault(b => b.Name == n) ?? throw new ArgumentException($"unknown benchmark '{n}' (known: {string.Join(", ", benchmarks.Select(b => b.Name))})")).ToList();

#if DEBUG
Console.WriteLine("WARNING: a Debug build; run with -c Release");
#endif
Console.WriteLine($"GammapyTools.Bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  .NET {Environment.Version}  {RuntimeInformation.OSDescription}  {Environment.ProcessorCount} logical CPUs  {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"median of {reps?.ToString() ?? "7 (or the benchmark's default)"} repetitions after {warmups?.ToString() ?? "2 (or the benchmark's default)"} warm-up runs");
var rows = new List<BenchRow>();
foreach (var b in selected)
{
    // Heavy benchmarks bring their own defaults (e.g. 3 repetitions, no warm-up); --reps/--warmup override them.
    int r = reps ?? b.DefaultRepetitions ?? 7, w = warmups ?? b.DefaultWarmups ?? 2;
    Console.WriteLine($"== {b.Name}: {b.Description}  (reps {r}, warm-up {w})");
    b.Run(new BenchContext(r, w, Console.Out, rows));
}
Console.WriteLine();
BenchContext.PrintTable(rows, Console.Out);
return 0;
