namespace GammapyTools.Background;

/// <summary>
/// The binning of a background model, as the config's <c>binning</c> section gives it: energy
/// bins logarithmic between EnergyMin and EnergyMax (TeV), offset bins linear between OffsetMin and
/// OffsetMax (degrees). A 3D model uses FoV longitude/latitude bins of the same width as the offset
/// bins, covering [-OffsetMax, OffsetMax].
/// </summary>
public sealed record BackgroundBinning(double EnergyMin = 0.1, double EnergyMax = 100.0, int EnergyBins = 20,
    double OffsetMin = 0.0, double OffsetMax = 2.5, int OffsetBins = 10)
{
    public double[] EnergyEdges()
    {
        Validate();
        double lo = Math.Log10(EnergyMin), hi = Math.Log10(EnergyMax);
        return Enumerable.Range(0, EnergyBins + 1).Select(i => Math.Pow(10, lo + (hi - lo) * i / EnergyBins)).ToArray();
    }

    public double[] OffsetEdges()
    {
        Validate();
        return Enumerable.Range(0, OffsetBins + 1).Select(i => OffsetMin + (OffsetMax - OffsetMin) * i / OffsetBins).ToArray();
    }

    /// <summary>FoV lon/lat edges for a 3D model: symmetric about the pointing, bins as wide as the offset bins.</summary>
    public double[] FovEdges()
    {
        Validate();
        double width = (OffsetMax - OffsetMin) / OffsetBins;
        int half = (int)Math.Ceiling(OffsetMax / width - 1e-9);
        return Enumerable.Range(-half, 2 * half + 1).Select(i => i * width).ToArray();
    }

    public void Validate()
    {
        if (!(EnergyMin > 0) || !(EnergyMax > EnergyMin) || EnergyBins < 1)
            throw new ArgumentException($"energy binning must have 0 < e_min < e_max and e_bins ≥ 1 (got {EnergyMin}, {EnergyMax}, {EnergyBins})");
        if (!(OffsetMin >= 0) || !(OffsetMax > OffsetMin) || OffsetBins < 1)
            throw new ArgumentException($"offset binning must have 0 ≤ off_min < off_max and off_bins ≥ 1 (got {OffsetMin}, {OffsetMax}, {OffsetBins})");
    }
}
