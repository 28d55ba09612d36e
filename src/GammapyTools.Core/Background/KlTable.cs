using System.Globalization;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>One row of a KL table: a background run compared with the reference (target) run.</summary>
public sealed record KlTableRow(long ObsId, double KlDivergence, double? Livetime);

/// <summary>
/// The per-target KL table <c>&lt;obs&gt;_kl.fits</c>: one row per background run (OBS_ID, KL_DIV,
/// LIVETIME), header REF_ID (the target's OBS_ID), REF_FILE and BKGCLASS. Written atomically; read back
/// only when it belongs to the same reference run.
/// </summary>
public static class KlTable
{
    public static string FileName(long referenceObsId) => referenceObsId.ToString(CultureInfo.InvariantCulture) + "_kl.fits";

    public static void Write(string path, long referenceObsId, string? referenceFile, string hduClass, IEnumerable<KlTableRow> rows)
    {
        var list = rows.OrderBy(r => r.KlDivergence).ThenBy(r => r.ObsId).ToList();
        var columns = new[]
        {
            FitsColumn.Create("OBS_ID", list.Select(r => r.ObsId).ToArray()),
            FitsColumn.Create("KL_DIV", list.Select(r => r.KlDivergence).ToArray()),
            FitsColumn.Create("LIVETIME", list.Select(r => r.Livetime ?? double.NaN).ToArray(), unit: "s"),
        };
        var hdu = BinaryTableHdu.Create("KL_DIVERGENCE", new BinaryTable(list.Count, columns));
        hdu.Header.Set("REF_ID", referenceObsId, "OBS_ID of the reference (target) run");
        if (referenceFile is not null) hdu.Header.Set("REF_FILE", Path.GetFileName(referenceFile), "file of the reference run");
        hdu.Header.Set("BKGCLASS", hduClass, "class of the compared background models");
        hdu.Header.Set("KLDEF", "P=a/sum(a)+1e-9, Q=b/sum(b)+1e-9, sum P ln(P/Q)");
        FitsWriter.Write(path, [hdu], overwrite: true);
    }

    /// <summary>The rows of a table written for <paramref name="referenceObsId"/>, or null when absent, unreadable or another run's.</summary>
    public static IReadOnlyDictionary<long, KlTableRow>? TryRead(string path, long referenceObsId)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var file = FitsFile.Open(path);
            var info = file.Find("KL_DIVERGENCE");
            if (info is null || info.Header.GetLong("REF_ID") != referenceObsId) return null;
            var t = file.ReadTable(info).Table;
            var ids = t["OBS_ID"].ToDoubles(); var kl = t["KL_DIV"].ToDoubles();
            var live = t.Find("LIVETIME")?.ToDoubles();
            var rows = new Dictionary<long, KlTableRow>();
            for (int i = 0; i < t.RowCount; i++)
            {
                long id = (long)ids[i];
                rows[id] = new KlTableRow(id, kl[i], live is null || double.IsNaN(live[i]) ? null : live[i]);
            }
            return rows;
        }
        catch (Exception e) when (e is FitsException or IOException or KeyNotFoundException or InvalidCastException or FormatException)
        {
            return null;
        }
    }
}
