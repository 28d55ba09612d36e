namespace GammapyTools.Mimic;

/// <summary>
/// Work on the rows of an events table in fixed blocks, in parallel: block b is rows
/// [b × <see cref="Rows"/>, (b + 1) × Rows). Each caller's work treats every row on its own, so the
/// result does not depend on how many threads run the blocks.
/// </summary>
internal static class RowBlocks
{
    /// <summary>The number of blocks of <paramref name="rows"/> rows.</summary>
    public static int Count(int rows) => (rows + Rows - 1) / Rows;

    /// <summary>Rows per block: large enough that a block is worth a thread, small enough to spread 1 M rows over the cores.</summary>
    public const int Rows = 1 << 16;

    /// <summary>Runs <paramref name="work"/>(first row, row count) for every block of <paramref name="rows"/> rows (block b starts at b × Rows).</summary>
    public static void For(int rows, ParallelOptions? parallel, Action<int, int> work)
    {
        int blocks = Count(rows);
        if (blocks <= 1) { work(0, rows); return; }
        Parallel.For(0, blocks, parallel ?? new ParallelOptions(), b => work(b * Rows, Math.Min(Rows, rows - b * Rows)));
    }
}
