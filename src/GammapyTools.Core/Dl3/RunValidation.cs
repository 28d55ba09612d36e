using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GammapyTools.Fits;

namespace GammapyTools.Dl3;

/// <summary>
/// What makes a run usable (issue 9): checks made when a run is loaded (headers only) and when
/// its data are about to be used (Convert-Fov, background models). A run that fails is an error
/// naming the file, HDU and keyword; none of these is silently repaired, so no product is ever
/// written from an unusable run (and no NaN coordinate is ever written).
/// <list type="bullet">
/// <item>Load (Get-Run from a file or an obs-index row): pointing RA/Dec present, numeric and
/// finite, |Dec| ≤ 90; LIVETIME and ONTIME, where given, finite and &gt; 0; from a file also the
/// EVENTS table: at least one event, and RA, DEC, ENERGY, TIME columns that are numeric scalars.</item>
/// <item>Use (events read): the same columns, at least one event, every RA/DEC finite (an event
/// without coordinates is an error, not dropped: a run with such events is broken upstream);
/// GTI rows with STOP ≥ START, finite; a copied background model with at least one finite value.</item>
/// </list>
/// </summary>
public static class RunValidation
{
    /// <summary>Columns every EVENTS table must have, as numeric scalars.</summary>
    public static readonly string[] MandatoryEventColumns = ["RA", "DEC", "ENERGY", "TIME"];

    /// <summary>A pointing coordinate or exposure keyword of an EVENTS header (or obs-index row): finite, in range.</summary>
    public static double Pointing(FitsHeader h, string keyword, string path, int? hdu)
    {
        var card = h.Find(keyword) ?? throw new FitsException($"the EVENTS header has no {keyword}", path, hdu, keyword: keyword);
        double? value = h.GetDouble(keyword);
        if (value is null)
            throw new FitsException($"{keyword} = {Show(card.Value ?? card.RawValue)} is not a number", path, hdu, keyword: keyword);
        return CheckPointing(value.Value, keyword, path, hdu);
    }

    /// <summary>A pointing RA or Dec: finite, |Dec| ≤ 90.</summary>
    public static double CheckPointing(double value, string keyword, string path, int? hdu, string? where = null)
    {
        if (!double.IsFinite(value))
            throw new FitsException($"{where}{keyword} = {Show(value)} is not a finite number", path, hdu, keyword: keyword);
        if (keyword.StartsWith("DEC", StringComparison.OrdinalIgnoreCase) && Math.Abs(value) > 90)
            throw new FitsException($"{where}{keyword} = {Show(value)} is outside [-90, 90]", path, hdu, keyword: keyword);
        return value;
    }

    /// <summary>LIVETIME/ONTIME where given: finite and positive (a run without exposure cannot be analysed).</summary>
    public static double? Exposure(double? value, string keyword, string path, int? hdu, string? where = null)
    {
        if (value is double v && (!double.IsFinite(v) || v <= 0))
            throw new FitsException($"{where}{keyword} = {Show(v)}: the observation time must be a positive number of seconds", path, hdu, keyword: keyword);
        return value;
    }

    /// <summary>The EVENTS table a header declares: at least one row, mandatory columns as numeric scalars.</summary>
    public static void EventsHeader(FitsHeader h, string path, int? hdu)
    {
        long rows = h.GetLong("NAXIS2") ?? 0;
        if (rows <= 0) throw new FitsException("the EVENTS table has no events", path, hdu, keyword: "NAXIS2");
        long fields = h.GetLong("TFIELDS") ?? 0;
        foreach (string name in MandatoryEventColumns)
        {
            string? tform = null;
            for (int i = 1; i <= fields && i <= 999; i++)
                if (string.Equals(h.GetString($"TTYPE{i}")?.Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    tform = h.GetString($"TFORM{i}") ?? "";
                    break;
                }
            if (tform is null) throw new FitsException($"the EVENTS table has no {name} column", path, hdu, keyword: name);
            ColumnFormat format;
            try { format = ColumnFormat.Parse(tform); }
            catch (FormatException e) { throw new FitsException($"column {name}: {e.Message}", path, hdu, e, name); }
            if (!IsNumericScalar(format))
                throw new FitsException($"column {name} is declared '{tform.Trim()}'; it must hold one number per event (TFORM B, I, J, K, E or D)", path, hdu, keyword: name);
        }
    }

    private static bool IsNumericScalar(ColumnFormat f) => f.Repeat == 1 && f.Type is 'B' or 'I' or 'J' or 'K' or 'E' or 'D';

    /// <summary>An events table read for use: mandatory columns present as numeric scalars, events present, RA/DEC finite.</summary>
    public static void Events(BinaryTable t, string path, int? hdu, IEnumerable<string>? columns = null)
    {
        var wanted = (columns ?? MandatoryEventColumns).Where(c => MandatoryEventColumns.Contains(c, StringComparer.OrdinalIgnoreCase));
        foreach (string name in wanted)
        {
            var c = t.Find(name) ?? throw new FitsException($"the EVENTS table has no {name} column", path, hdu, keyword: name);
            if (!IsNumericScalar(c.Format))
                throw new FitsException($"column {name} is declared '{c.Format}'; it must hold one number per event (TFORM B, I, J, K, E or D)", path, hdu, keyword: name);
        }
        if (t.RowCount == 0) throw new FitsException("the EVENTS table has no events", path, hdu, keyword: "NAXIS2");
        foreach (string name in new[] { "RA", "DEC" })
        {
            if (t.Find(name) is not { } c) continue;
            (int bad, int first) = CountNonFinite(c);
            if (bad > 0)
                throw new FitsException($"{bad} of {c.Data.Length} events have a non-finite {name} (first: row {first + 1}); coordinates must be finite", path, hdu, keyword: name);
        }
    }

    /// <summary>Non-finite values of a column and the first one's row; float and double columns are scanned in place (no copy of a large table).</summary>
    private static (int Bad, int First) CountNonFinite(FitsColumn c)
    {
        if (c.Data is float[] all && c.Scale is null or 1.0 && c.Zero is null or 0.0 && AllFinite(all)) return (0, -1);
        int bad = 0, first = -1;
        switch (c.Data)
        {
            case float[] f when c.Scale is null or 1.0 && c.Zero is null or 0.0:
                for (int i = 0; i < f.Length; i++) if (!float.IsFinite(f[i])) { bad++; if (first < 0) first = i; }
                break;
            case double[] d when c.Scale is null or 1.0 && c.Zero is null or 0.0:
                for (int i = 0; i < d.Length; i++) if (!double.IsFinite(d[i])) { bad++; if (first < 0) first = i; }
                break;
            default:
                var v = c.ToDoubles();
                for (int i = 0; i < v.Length; i++) if (!double.IsFinite(v[i])) { bad++; if (first < 0) first = i; }
                break;
        }
        return (bad, first);
    }

    /// <summary>True when every value is finite: eight at a time (x − x is 0 only for a finite x), the common case of every run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(float[] values)
    {
        int i = 0;
        var notFinite = Vector256<float>.Zero;
        for (; i <= values.Length - 8; i += 8)
        {
            var v = Vector256.Create(values.AsSpan(i, 8));
            notFinite |= ~Vector256.Equals(v - v, Vector256<float>.Zero);
        }
        if (notFinite != Vector256<float>.Zero) return false;
        for (; i < values.Length; i++) if (!float.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>GTI rows: START and STOP finite, STOP ≥ START.</summary>
    public static void Gti(BinaryTableHdu gti, string path, int? hdu)
    {
        var t = gti.Table;
        var start = t.Find("START") ?? throw new FitsException("the GTI table has no START column", path, hdu, keyword: "START");
        var stop = t.Find("STOP") ?? throw new FitsException("the GTI table has no STOP column", path, hdu, keyword: "STOP");
        if (!IsNumericScalar(start.Format) || !IsNumericScalar(stop.Format))
            throw new FitsException($"GTI START/STOP are declared '{start.Format}'/'{stop.Format}'; they must be numbers", path, hdu, keyword: "START");
        var a = start.ToDoubles();
        var b = stop.ToDoubles();
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
                throw new FitsException($"GTI row {i + 1} has a non-finite START or STOP", path, hdu, keyword: "START");
            if (b[i] < a[i])
                throw new FitsException($"GTI row {i + 1} stops before it starts (START {Show(a[i])}, STOP {Show(b[i])})", path, hdu, keyword: "STOP");
        }
    }

    /// <summary>A background model HDU about to be copied into a run: a table with at least one row and one finite BKG value.</summary>
    public static void BackgroundModel(Hdu hdu, string path)
    {
        if (hdu is not BinaryTableHdu t)
            throw new FitsException($"the background model HDU {hdu.Name} is not a binary table", path, keyword: "BKG");
        var bkg = t.Table.Find("BKG");
        if (t.Table.RowCount == 0 || bkg is null || bkg.Data.Length == 0)
            throw new FitsException($"the background model HDU {hdu.Name} is empty (no BKG values)", path, keyword: "BKG");
        double[] values;
        try { values = bkg.ToDoubles(); }
        catch (InvalidCastException) { throw new FitsException($"the background model's BKG column is declared '{bkg.Format}', not numbers", path, keyword: "BKG"); }
        int bad = values.Count(v => !double.IsFinite(v));
        if (bad > 0) throw new FitsException($"the background model has {bad} non-finite BKG values", path, keyword: "BKG");
    }

    private static string Show(object? v) => v switch
    {
        null => "(no value)",
        string s => $"'{s}'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
