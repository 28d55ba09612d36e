using System.Runtime.InteropServices;
using GammapyTools.Bench;

// Usage: dotnet run -c Release --project bench/GammapyTools.Bench -- <name>|all|list [--reps N] [--warmup N]
IBenchmark[] benchmarks =
[
    new FitsReadBenchmark(),
    new RepointBenchmark(),
    new SimulateBenchmark(),
    new ConvertFovBenchmark(),
];

var names = new List<string>();
int reps = 7, warmups = 2;
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
    Console.WriteLine("usage: GammapyTools.Bench <name>|all [--reps N] [--warmup N]");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-12} {b.Description}");
    return names.Count == 0 ? 2 : 0;
}
var selected = names.Contains("all") ? benchmarks.ToList() : names.Select(n =>
    benchmarks.FirstOrDefault(b => b.Name == n) ?? throw new ArgumentException($"unknown benchmark '{n}' (known: {string.Join(", ", benchmarks.Select(b => b.Name))})")).ToList();

#if DEBUG
Console.WriteLine("WARNING: a Debug build; run with -c Release");
#endif
Console.WriteLine($"GammapyTools.Bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  .NET {Environment.Version}  {RuntimeInformation.OSDescription}  {Environment.ProcessorCount} logical CPUs  {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"median of {reps} repetitions after {warmups} warm-up runs");
var ctx = new BenchContext(reps, warmups, Console.Out);
foreach (var b in selected)
{
    Console.WriteLine($"== {b.Name}: {b.Description}");
    b.Run(ctx);
}
Console.WriteLine();
BenchContext.PrintTable(ctx.Rows, Console.Out);
return 0;
