using GammapyTools.Sky;

namespace GammapyTools.Bench;

/// <summary>PointingRotation's float bulk kernel on one core against a plain copy of the same arrays.</summary>
public sealed class RepointBenchmark : IBenchmark
{
    public const int Events = 1_300_000;

    public string Name => "repoint";
    public string Description => $"PointingRotation.Apply(float spans), {Events:N0} events, one thread, vs span copy";

    public void Run(BenchContext ctx)
    {
        var rng = new Random(42);
        var from = new SkyCoord(83.633, 22.514);
        var to = new SkyCoord(166.11, 38.71);
        float[] ra = new float[Events], dec = new float[Events], raOut = new float[Events], decOut = new float[Events];
        for (int i = 0; i < Events; i++)
        {
            var p = from.OffsetBy(2.5 * Math.Sqrt(rng.NextDouble()), 360 * rng.NextDouble());
            ra[i] = (float)p.Ra;
            dec[i] = (float)p.Dec;
        }
        var rotation = new PointingRotation(from, to);
        const int inner = 10; // repeat inside one timing to get well above timer resolution
        double copy = ctx.Measure($"baseline span copy RA+DEC x{inner}", () =>
        {
            for (int k = 0; k < inner; k++)
            {
                ra.AsSpan().CopyTo(raOut);
                dec.AsSpan().CopyTo(decOut);
            }
        }) / inner;
        double ours = ctx.Measure($"ours PointingRotation.Apply(float) x{inner}", () =>
        {
            for (int k = 0; k < inner; k++) rotation.Apply(ra, dec, raOut, decOut);
        }) / inner;
        // sanity: the kernel moved the pointing's neighbourhood to the target's
        var moved = new SkyCoord(raOut[0], decOut[0]);
        if (Math.Abs(moved.SeparationTo(to) - new SkyCoord(ra[0], dec[0]).SeparationTo(from)) > 1e-4)
            throw new InvalidOperationException("re-pointing kernel gave an unexpected result");
        ctx.Report(new BenchRow(Name, "float RA/DEC, 1 thread", ours, Events * 16.0, Events, "span copy RA+DEC", copy));
    }
}
