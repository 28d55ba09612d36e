using System.Globalization;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>One row of a KL table: a background run compared with the reference (target) run, and the identity of the run's model file then.</summary>
public sealed record KlTableRow(long ObsId, double KlDivergence, double? Livetime, string? ModelId = null);

/// <summary>
/// The per-target KL table <c>&lt;obs&gt;_kl.fits</c>: one row per background run (OBS_ID, KL_DIV,
/// LIVETIME, MODEL_ID), header REF_ID (the target's OBS_ID), REF_FILE, BKGCLASS, REF_MOD (content
/// hash of the reference model) and KLGRID (the comparison method). It is a cache and never changes
/// an answer: a table of another reference model or method is not read, and a row whose run's model
/// has changed since is recomputed. MODEL_ID is the SHA-256 of the model's HDU where the background
/// index holds the file as it is now (<see cref="BackgroundModelCache.ModelId"/>: a touched file
/// keeps its rows), else the size, modification time and HDU of the file (<see cref="ModelId"/>).
/// Written atomically.
/// </summary>
public static class KlTable
{
    public static string FileName(long referenceObsId) => referenceObsId.ToString(CultureInfo.InvariantCulture) + "_kl.fits";

    /// <summary>The identity of a run's background model file (size, last write, HDU), or null when it has none.</summary>
    public static string? ModelId(Run run)
    {
        var location = run.FindHdu("bkg");
        if (location is null) return null;
        var info = new FileInfo(location.FilePath);
        if (!info.Exists) return null;
        return string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}:{location.HduName.ToUpperInvariant()}");
    }

    public static void Write(string path, long referenceObsId, string? referenceFile, BackgroundModel reference, IEnumerable<KlTableRow> rows)
    {
        var list = rows.OrderBy(r => r.KlDivergence).ThenBy(r => r.ObsId).ToList();
        var columns = new[]
        {
            FitsColumn.Create("OBS_ID", list.Select(r => r.ObsId).ToArray()),
            FitsColumn.Create("KL_DIV", list.Select(r => r.KlDivergence).ToArray()),
            FitsColumn.Create("LIVETIME", list.Select(r => r.Livetime ?? double.NaN).ToArray(), unit: "s"),
            FitsColumn.Create("MODEL_ID", list.Select(r => r.ModelId ?? "").ToArray()),
        };
        var hdu = BinaryTableHdu.Create("KL_DIVERGENCE", new BinaryTable(list.Count, columns));
        hdu.Header.Set("REF_ID", referenceObsId, "OBS_ID of the reference (target) run");
        if (referenceFile is not null) hdu.Header.Set("REF_FILE", Path.GetFileName(referenceFile), "file of the reference run");
        hdu.Header.Set("BKGCLASS", reference.HduClass, "class of the reference background model");
        hdu.Header.Set("REF_MOD", reference.Identity, "content hash of the reference model");
        hdu.Header.Set("KLGRID", CommonGrid.Method, "comparison method (common grid)");
        hdu.Header.Set("KLDEF", "P=a/sum(a)+1e-9, Q=b/sum(b)+1e-9, sum P ln(P/Q)");
        FitsWriter.Write(path, [hdu], overwrite: true);
    }

    /// <summary>
    /// The rows of a table written for <paramref name="referenceObsId"/> with this reference model
    /// (<paramref name="referenceIdentity"/>) and comparison method, or null when absent, unreadable,
    /// another run's, another model's or another method's.
    /// </summary>
    public static IReadOnlyDictionary<long, KlTableRow>? TryRead(string path, long referenceObsId, string referenceIdentity)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var file = FitsFile.Open(path);
            var info = file.Find("KL_DIVERGENCE");
            if (info is null || info.Header.GetLong("REF_ID") != referenceObsId) return null;
            if (info.Header.GetString("REF_MOD") != referenceIdentity || info.Header.GetString("KLGRID") != CommonGrid.Method) return null;
            var t = file.ReadTable(info).Table;
            var ids = t["OBS_ID"].ToDoubles(); var kl = t["KL_DIV"].ToDoubles();
            var live = t.Find("LIVETIME")?.ToDoubles();
            var model = (string[]?)t.Find("MODEL_ID")?.Data;
            var rows = new Dictionary<long, KlTableRow>();
            for (int i = 0; i < t.RowCount; i++)
            {
                long id = (long)ids[i];
                rows[id] = new KlTableRow(id, kl[i], live is null || double.IsNaN(live[i]) ? null : live[i], model?[i].Trim());
            }
            return rows;
        }
        catch (Exception e) when (e is FitsException or IOException or KeyNotFoundException or InvalidCastException or FormatException)
        {
            return null;
        }
    }
}
