namespace GammapyTools.Mimic;

/// <summary>
/// The seeded random stream of the mimic steps: xoshiro256** seeded through SplitMix64, so a
/// stream depends only on its key (seed, run numbers, source index) — never on processing order,
/// thread or platform (DESIGN.md §2 "Growing past one machine").
/// </summary>
public sealed class MimicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public MimicRandom(params ulong[] key)
    {
        ulong x = 0x6A09E667F3BCC908UL;
        foreach (ulong k in key) x = SplitMix(x ^ k);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The stream of one target/background pair for a user seed.</summary>
    public static MimicRandom ForRun(long seed, long targetObsId, long backgroundObsId, int index = 0) =>
        new((ulong)seed, (ulong)targetObsId, (ulong)backgroundObsId, (ulong)index);

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return SplitMix(x);
    }

    private static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
