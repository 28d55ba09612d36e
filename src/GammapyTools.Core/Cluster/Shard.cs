using System.Globalization;

namespace GammapyTools.Cluster;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> (1-based, written "i/N") of a campaign's run list,
/// so that one campaign can run as N independent jobs (a Slurm job array). The parts are
/// deterministic and balanced: the k-th run of the list (0-based) belongs to part (k mod N) + 1, so
/// the parts differ in size by at most one run and neighbouring runs (similar in time, hence in
/// cost) spread over all parts. Which part a run belongs to never changes what is written for it.
/// </summary>
public readonly record struct Shard
{
    public int Index { get; }
    public int Count { get; }

    public Shard(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "the number of shards must be at least 1");
        if (index < 1 || index > count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the shard number must be between 1 and {count}");
        Index = index;
        Count = count;
    }

    /// <summary>Parses "i/N" (e.g. "2/8"); PowerShell uses this to bind a string to a Shard parameter.</summary>
    /// <exception cref="FormatException">Not of the form i/N with 1 ≤ i ≤ N.</exception>
    public static Shard Parse(string text)
    {
        if (TryParse(text, out var shard, out string? error)) return shard;
        throw new FormatException(error);
    }

    public static bool TryParse(string? text, out Shard shard, out string? error)
    {
        shard = default;
        error = null;
        string[] parts = (text ?? "").Trim().Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            error = $"'{text}' is not a shard: write i/N, e.g. 2/8 (part 2 of 8, 1-based)";
            return false;
        }
        if (n < 1 || i < 1 || i > n)
        {
            error = $"'{text}' is not a shard: i/N needs N ≥ 1 and 1 ≤ i ≤ N";
            return false;
        }
        shard = new Shard(i, n);
        return true;
    }

    /// <summary>The shard (of <paramref name="count"/>) that the run at <paramref name="position"/> (0-based) of the run list belongs to.</summary>
    public static Shard Of(int position, int count) => new(position % count + 1, count);

    /// <summary>True when the run at <paramref name="position"/> (0-based) of the run list belongs to this shard.</summary>
    public bool Contains(int position) => position % Count == Index - 1;

    /// <summary>The positions (0-based) of this shard's runs in a run list of <paramref name="length"/> runs.</summary>
    public IEnumerable<int> Positions(int length)
    {
        for (int k = Index - 1; k < length; k += Count) yield return k;
    }

    public override string ToString() => $"{Index}/{Count}";
}
