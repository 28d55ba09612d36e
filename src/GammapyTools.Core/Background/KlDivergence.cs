namespace GammapyTools.Background;

/// <summary>
/// Kullback–Leibler divergence between two background models, as the reference (gammapy-tools)
/// defines it: P = a/Σa + 1e-9, Q = b/Σb + 1e-9, KL = Σ P·ln(P/Q) over the flattened model.
/// Identical models give exactly 0. Models of different kinds (bkg_2d, bkg_3d) or binnings are
/// compared on their common grid (<see cref="CommonGrid"/>); only models that do not overlap at
/// all are an error (<see cref="BinningMismatchException"/>), not a number.
/// </summary>
public static class KlDivergence
{
    /// <summary>The offset added to every normalised bin (the reference's).</summary>
    public const double Epsilon = 1e-9;

    /// <summary>a/Σa + 1e-9, in the order of <paramref name="values"/>.</summary>
    public static double[] Normalize(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        var p = new double[values.Length];
        for (int i = 0; i < p.Length; i++) p[i] = values[i] / sum + Epsilon;
        return p;
    }

    /// <summary>KL of two flattened models (raw values, same length).</summary>
    public static double Compute(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new BinningMismatchException($"the models have {a.Length} and {b.Length} bins");
        return FromNormalized(Normalize(a), Normalize(b));
    }

    /// <summary>
    /// KL of two models: directly when their kind and binning are the same, else on their common
    /// grid. Throws <see cref="BinningMismatchException"/> only when they do not overlap.
    /// This is the one definition every command uses (KL is a property of the pair of models).
    /// </summary>
    public static double Compute(BackgroundModel p, BackgroundModel q)
    {
        if (p.BinningDifference(q) is null) return FromNormalized(p.Normalized, q.Normalized);
        var (a, b) = CommonGrid.OnCommonGrid(p, q);
        return FromNormalized(Normalize(a), Normalize(b));
    }

    /// <summary>Σ P·ln(P/Q) of two normalised distributions.</summary>
    public static double FromNormalized(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length) throw new BinningMismatchException($"the models have {p.Length} and {q.Length} bins");
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i];
            sum += pi * Math.Log(pi / q[i]);
        }
        return sum;
    }

    /// <summary>
    /// KL of one reference against many models (parallel over models). Entry i is null when model i
    /// cannot be compared (no overlap); <paramref name="errors"/>[i] then says why.
    /// </summary>
    public static double?[] ComputeMany(BackgroundModel reference, IReadOnlyList<BackgroundModel> models, out string?[] errors, int maxParallelism = -1)
    {
        var result = new double?[models.Count];
        var why = new string?[models.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism };
        void One(int i)
        {
            try { result[i] = Compute(reference, models[i]); }
            catch (BinningMismatchException e) { why[i] = e.Message; }
        }
        // Small jobs are faster on one thread than with the scheduling of Parallel.For.
        long work = (long)models.Count * reference.Values.Length;
        if (work < 200_000 || maxParallelism == 1) for (int i = 0; i < models.Count; i++) One(i);
        else Parallel.For(0, models.Count, options, One);
        errors = why;
        return result;
    }
}

/// <summary>Two background models that do not overlap (energy or offset range) cannot be compared.</summary>
public sealed class BinningMismatchException(string message) : Exception(message);
