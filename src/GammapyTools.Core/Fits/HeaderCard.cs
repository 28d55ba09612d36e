using System.Globalization;

namespace GammapyTools.Fits;

/// <summary>
/// One header record. <see cref="Value"/> is a string, bool, long, double, or null (no value /
/// commentary card). Complex values, which DL3 never uses, are kept verbatim in
/// <see cref="RawValue"/> so they survive a round trip.
/// </summary>
public sealed record HeaderCard(string Keyword, object? Value, string? Comment = null, string? RawValue = null)
{
    /// <summary>True for a keyword written without "= " (kept as text, as astropy does).</summary>
    public bool WithoutValueIndicator { get; init; }

    public bool IsCommentary => WithoutValueIndicator || Keyword is "COMMENT" or "HISTORY" or "";

    public static HeaderCard CommentCard(string text) => new("COMMENT", null, text);
    public static HeaderCard HistoryCard(string text) => new("HISTORY", null, text);

    public override string ToString() => IsCommentary
        ? $"{Keyword} {Comment}"
        : $"{Keyword} = {FormatValueForDisplay(Value ?? RawValue)}" + (string.IsNullOrEmpty(Comment) ? "" : $" / {Comment}");

    private static string FormatValueForDisplay(object? v) => v switch
    {
        null => "",
        string s => $"'{s}'",
        bool b => b ? "T" : "F",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
