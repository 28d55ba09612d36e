using GammapyTools.Simulation;

namespace GammapyTools.Mimic;

/// <summary>
/// The seeded random stream of the mimic steps, so that a stream depends only on its key (seed,
/// run numbers, source index) — never on processing order, thread or platform (DESIGN.md §2
/// "Growing past one machine"). The key is folded with SplitMix64 into the seed of the project's
/// one generator, <see cref="SimulationRandom"/> (xoshiro256**).
/// </summary>
public sealed class MimicRandom
{
    private readonly SimulationRandom _generator;

    public MimicRandom(params ulong[] key)
    {
        ulong x = 0x6A09E667F3BCC908UL;
        foreach (ulong k in key) x = Mix(x ^ k);
        _generator = new SimulationRandom(x);
    }

    /// <summary>The stream of one target/background pair for a user seed.</summary>
    public static MimicRandom ForRun(long seed, long targetObsId, long backgroundObsId, int index = 0) =>
        new((ulong)seed, (ulong)targetObsId, (ulong)backgroundObsId, (ulong)index);

    /// <summary>SplitMix64's finaliser: every key bit affects every seed bit.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64() => _generator.NextUInt64();

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _generator.NextDouble();
}
