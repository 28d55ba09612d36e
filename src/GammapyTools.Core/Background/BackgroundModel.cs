using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>
/// A run's background model reduced to what KL divergence needs: its class (bkg_2d, bkg_3d), its
/// axes (bin edges) and its values flattened in file order, plus the normalised distribution
/// a/Σa + 1e-9 computed once (it is the same whether the model plays P or Q).
/// </summary>
public sealed class BackgroundModel
{
    public BackgroundModel(string hduClass, IReadOnlyList<double[]> axes, double[] values, string? source = null)
    {
        int expected = axes.Aggregate(1, (n, a) => n * Math.Max(a.Length - 1, 0));
        if (values.Length != expected) throw new ArgumentException($"{values.Length} values for axes of {expected} bins");
        HduClass = hduClass;
        Axes = axes;
        Values = values;
        Source = source;
        Normalized = KlDivergence.Normalize(values);
    }

    public string HduClass { get; }
    /// <summary>Bin edges: energy and offset (bkg_2d), or energy, FoV lon and lat (bkg_3d).</summary>
    public IReadOnlyList<double[]> Axes { get; }
    public double[] Values { get; }
    /// <summary>a/Σa + 1e-9 (the reference definition).</summary>
    public double[] Normalized { get; }
    /// <summary>"file[HDU]", for messages.</summary>
    public string? Source { get; }

    private RadialRate? _radial;
    /// <summary>The model as a rate on energy × offset (a bkg_3d integrated over FoV azimuth), computed once: see <see cref="CommonGrid"/>.</summary>
    public RadialRate Radial => _radial ??= CommonGrid.Radial(this);

    private string? _identity;
    /// <summary>
    /// A content hash of the model (class, bin edges, values): a stored KL table records it for its
    /// reference, and is recomputed when the reference's model has changed.
    /// </summary>
    public string Identity => _identity ??= ComputeIdentity();

    private string ComputeIdentity()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(HduClass));
        foreach (var axis in Axes) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(axis.AsSpan()));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }

    public static BackgroundModel From(Background2D b, string? source = null) => new("bkg_2d", [b.EnergyEdges, b.OffsetEdges], b.Flatten(), source);
    public static BackgroundModel From(Background3D b, string? source = null) => new("bkg_3d", [b.EnergyEdges, b.LonEdges, b.LatEdges], b.Flatten(), source);

    /// <summary>Reads the background HDU a location names (bkg_2d or bkg_3d).</summary>
    public static BackgroundModel Read(HduLocation location) => FitsException.Guard(location.FilePath, () => ReadUnguarded(location));

    private static BackgroundModel ReadUnguarded(HduLocation location)
    {
        using var file = FitsFile.Open(location.FilePath);
        return Read(file, HduClassifier.Find(file, location), location);
    }

    /// <summary>Reads the background HDU <paramref name="info"/> of a file the caller has opened (<paramref name="location"/> names it).</summary>
    public static BackgroundModel Read(FitsFile file, HduInfo info, HduLocation location)
    {
        var table = file.ReadTable(info);
        string source = $"{location.FilePath}[{location.HduName}]";
        string cls = HduClassifier.Classify(info.Header)?.Class ?? location.HduClass;
        return cls switch
        {
            "bkg_2d" => From(Background2D.FromHdu(table, location.FilePath), source),
            "bkg_3d" => From(Background3D.FromHdu(table, location.FilePath), source),
            _ => throw new FitsException($"background HDU {location.HduName} is {cls}, not bkg_2d or bkg_3d", location.FilePath),
        };
    }

    /// <summary>Null when both models have the same binning, else why not (class, shape or edges).</summary>
    public string? BinningDifference(BackgroundModel other)
    {
        if (HduClass != other.HduClass) return $"{HduClass} vs {other.HduClass}";
        string[] names = HduClass == "bkg_2d" ? ["energy", "offset"] : ["energy", "lon", "lat"];
        for (int a = 0; a < Axes.Count; a++)
        {
            string name = a < names.Length ? names[a] : $"axis {a}";
            if (Axes[a].Length != other.Axes[a].Length) return $"{Axes[a].Length - 1} vs {other.Axes[a].Length - 1} {name} bins";
            for (int i = 0; i < Axes[a].Length; i++)
            {
                double x = Axes[a][i], y = other.Axes[a][i];
                // Edges are often stored as float32: equal within float precision is the same binning.
                if (Math.Abs(x - y) > 1e-6 * Math.Max(Math.Max(Math.Abs(x), Math.Abs(y)), 1e-6))
                    return $"{name} edge {i} is {x:R} vs {y:R}";
            }
        }
        return null;
    }
}
