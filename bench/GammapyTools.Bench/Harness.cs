using System.Diagnostics;
using System.Globalization;

namespace GammapyTools.Bench;

/// <summary>One benchmark: a class with a name; it measures its cases and reports rows of the table.</summary>
public interface IBenchmark
{
    /// <summary>The name used on the command line (e.g. "fits-read").</summary>
    string Name { get; }
    string Description { get; }
    /// <summary>Repetitions when --reps is not given (null: the harness default, 7).</summary>
    int? DefaultRepetitions => null;
    /// <summary>Warm-up runs when --warmup is not given (null: the harness default, 2).</summary>
    int? DefaultWarmups => null;
    void Run(BenchContext context);
}

/// <summary>One line of the results table: a measured case next to its baseline.</summary>
public sealed record BenchRow(string Benchmark, string Case, double MedianSeconds, double Bytes, double Events, string Baseline, double BaselineSeconds)
{
    public double Ratio => BaselineSeconds > 0 ? MedianSeconds / BaselineSeconds : double.NaN;
}

/// <summary>Timing and reporting shared by all benchmarks.</summary>
public sealed class BenchContext(int repetitions, int warmups, TextWriter log, List<BenchRow>? rows = null)
{
    public int Repetitions { get; } = repetitions;
    public int Warmups { get; } = warmups;
    public TextWriter Log { get; } = log;
    public List<BenchRow> Rows { get; } = rows ?? [];

    /// <summary>Median wall time in seconds of <see cref="Repetitions"/> runs after <see cref="Warmups"/> warm-up runs.</summary>
    public double Measure(string label, Action action, int? repetitions = null)
    {
        for (int i = 0; i < Warmups; i++) action();
        int n = repetitions ?? Repetitions;
        var times = new double[n];
        var cpu = new double[n];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < n; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - c0).TotalSeconds;
        }
        Array.Sort(times);
        Array.Sort(cpu);
        double median = Median(times);
        // CPU time of the whole process (all threads, user + system) during the runs: unlike wall
        // time it hardly changes when other programs share the machine.
        Log.WriteLine(FormattableString.Invariant(
            $"  {label,-48} median {median * 1e3,9:0.0} ms  (min {times[0] * 1e3:0.0}, max {times[^1] * 1e3:0.0}, n={n}; CPU median {Median(cpu) * 1e3:0.0} ms)"));
        return median;
    }

    /// <summary>
    /// Runs the actions one after another in every repetition (A B C, A B C, ...) so that all of them see the
    /// same state of a shared machine, and returns each action's median wall time and, for each pair
    /// (<paramref name="ratios"/>: indices of numerator and denominator), the median of the per-repetition
    /// ratios, which is steadier than a ratio of medians taken minutes apart.
    /// </summary>
    public (double[] Medians, double[] MedianRatios) MeasureInterleaved(string[] labels, Action[] actions, (int Of, int To)[] ratios)
    {
        for (int i = 0; i < Warmups; i++) foreach (var a in actions) a();
        int n = Repetitions;
        var times = new double[actions.Length][];
        for (int k = 0; k < actions.Length; k++) times[k] = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < actions.Length; k++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                long t0 = Stopwatch.GetTimestamp();
                actions[k]();
                times[k][i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
        }
        var medians = new double[actions.Length];
        for (int k = 0; k < actions.Length; k++)
        {
            var sorted = (double[])times[k].Clone();
            Array.Sort(sorted);
            medians[k] = Median(sorted);
            Log.WriteLine(FormattableString.Invariant(
                $"  {labels[k],-48} median {medians[k] * 1e3,9:0.0} ms  (min {sorted[0] * 1e3:0.0}, max {sorted[^1] * 1e3:0.0}, n={n}, interleaved)"));
        }
        var result = new double[ratios.Length];
        for (int q = 0; q < ratios.Length; q++)
        {
            var (of, to) = ratios[q];
            var r = new double[n];
            for (int i = 0; i < n; i++) r[i] = times[of][i] / times[to][i];
            Array.Sort(r);
            result[q] = Median(r);
            Log.WriteLine(FormattableString.Invariant(
                $"  ratio {labels[of]} / {labels[to]}: median {result[q]:0.00} (min {r[0]:0.00}, max {r[^1]:0.00}) over {n} interleaved repetitions"));
        }
        return (medians, result);
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);

    public void Report(BenchRow row) => Rows.Add(row);

    /// <summary>Wall time in seconds of one run of <paramref name="action"/> (no warm-up), logged; for one-off stages such as data generation.</summary>
    public double Once(string label, Action action)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        Log.WriteLine(FormattableString.Invariant($"  {label,-48} once   {s * 1e3,9:0.0} ms"));
        return s;
    }

    public static void PrintTable(IReadOnlyList<BenchRow> rows, TextWriter w)
    {
        string[] head = ["benchmark", "case", "median ms", "MB/s", "Mevents/s", "baseline", "baseline ms", "baseline MB/s", "ratio ours/base"];
        var cells = rows.Select(r => new[]
        {
            r.Benchmark, r.Case, F(r.MedianSeconds * 1e3, "0.0"),
            r.Bytes > 0 ? F(r.Bytes / 1e6 / r.MedianSeconds, "0") : "-",
            r.Events > 0 ? F(r.Events / 1e6 / r.MedianSeconds, "0.0") : "-",
            r.Baseline, F(r.BaselineSeconds * 1e3, "0.0"),
            r.Bytes > 0 ? F(r.Bytes / 1e6 / r.BaselineSeconds, "0") : "-",
            F(r.Ratio, "0.00"),
        }).ToList();
        var widths = head.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        w.WriteLine(string.Join(" | ", head.Select((h, i) => h.PadRight(widths[i]))));
        w.WriteLine(string.Join("-|-", widths.Select(x => new string('-', x))));
        foreach (var c in cells)
            w.WriteLine(string.Join(" | ", c.Select((s, i) => i >= 2 && i != 5 ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))));

        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
    }
}
