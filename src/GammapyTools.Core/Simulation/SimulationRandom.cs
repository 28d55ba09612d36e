using System.Runtime.CompilerServices;

namespace GammapyTools.Simulation;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast, fully specified generator, so the
/// simulated files stay bit-identical across library versions. <see cref="ForRun"/> derives a
/// run's independent stream from (seed, OBS_ID) alone.
/// </summary>
public sealed class SimulationRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SimulationRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The stream for one purpose (<paramref name="stream"/>) of one run.</summary>
    public static SimulationRandom ForRun(long seed, long obsId, ulong stream = 0)
    {
        ulong x = (ulong)seed * 0x9E3779B97F4A7C15UL ^ 0xD1B54A32D192ED03UL;
        ulong a = SplitMix(ref x) ^ (ulong)obsId * 0xBF58476D1CE4E5B9UL;
        ulong b = SplitMix(ref a) ^ stream * 0x94D049BB133111EBUL;
        return new SimulationRandom(SplitMix(ref b));
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in (0, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDoublePositive() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    public int NextInt(int n) => (int)((NextUInt64() >> 33) * (ulong)n >> 31);

    /// <summary>Standard normal (Box–Muller, one value per call).</summary>
    public double NextGaussian()
    {
        double u = NextDoublePositive(), v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>Poisson variate (multiplication method below 10, Hörmann's PTRS above).</summary>
    public long NextPoisson(double lambda)
    {
        if (!(lambda >= 0) || !double.IsFinite(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda));
        if (lambda == 0) return 0;
        if (lambda < 10)
        {
            double limit = Math.Exp(-lambda), prod = NextDouble();
            long k = 0;
            while (prod > limit) { prod *= NextDouble(); k++; }
            return k;
        }
        double slam = Math.Sqrt(lambda), loglam = Math.Log(lambda);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = NextDouble() - 0.5, v = NextDouble(), us = 0.5 - Math.Abs(u);
            long k = (long)Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invalpha) - Math.Log(a / (us * us) + b) <= -lambda + k * loglam - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1))
                return k;
        }
    }
}
