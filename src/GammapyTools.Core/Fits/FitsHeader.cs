using System.Collections;
using System.Globalization;
using System.Text;

namespace GammapyTools.Fits;

/// <summary>
/// An HDU header: an ordered list of cards, like astropy's <c>Header</c>. Keyword look-up is
/// case-insensitive (FITS keywords are upper case; users type them any way). The END card is
/// implicit: it is added when the header is written and never stored.
/// </summary>
public sealed class FitsHeader : IEnumerable<HeaderCard>
{
    public const int CardLength = 80;
    public const int BlockLength = 2880;

    private readonly List<HeaderCard> _cards = new();

    public FitsHeader() { }
    public FitsHeader(IEnumerable<HeaderCard> cards) { _cards.AddRange(cards); }

    public int Count => _cards.Count;
    public HeaderCard this[int index] => _cards[index];

    public FitsHeader Clone() => new(_cards);

    public int IndexOf(string keyword)
    {
        for (int i = 0; i < _cards.Count; i++)
            if (!_cards[i].IsCommentary && string.Equals(_cards[i].Keyword, keyword, StringComparison.OrdinalIgnoreCase))
                return i;
        return -1;
    }

    public bool Contains(string keyword) => IndexOf(keyword) >= 0;
    public HeaderCard? Find(string keyword) { int i = IndexOf(keyword); return i < 0 ? null : _cards[i]; }
    public object? this[string keyword] => Find(keyword)?.Value;

    public string? GetString(string keyword) => Find(keyword)?.Value switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    public long? GetLong(string keyword) => Find(keyword)?.Value switch
    {
        long l => l,
        ulong u when u <= long.MaxValue => (long)u,
        double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
        string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public double? GetDouble(string keyword) => Find(keyword)?.Value switch
    {
        double d => d,
        long l => l,
        ulong u => u,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public bool? GetBool(string keyword) => Find(keyword)?.Value as bool?;

    public long GetRequiredLong(string keyword) =>
        GetLong(keyword) ?? throw new FormatException($"required keyword {keyword} is missing or not an integer");

    /// <summary>Sets a value in place (keeping the card's position, and its comment unless a new one is given) or appends it.</summary>
    public void Set(string keyword, object? value, string? comment = null)
    {
        value = NormaliseValue(value);
        int i = IndexOf(keyword);
        if (i >= 0)
            _cards[i] = new HeaderCard(_cards[i].Keyword, value, comment ?? _cards[i].Comment);
        else
            _cards.Add(new HeaderCard(keyword.ToUpperInvariant(), value, comment));
    }

    /// <summary>Inserts or replaces a card at a position (used for the mandatory keywords, whose order is fixed).</summary>
    public void SetAt(int position, string keyword, object? value, string? comment = null)
    {
        value = NormaliseValue(value);
        int i = IndexOf(keyword);
        if (i >= 0)
        {
            var old = _cards[i];
            _cards.RemoveAt(i);
            comment ??= old.Comment;
        }
        _cards.Insert(Math.Min(position, _cards.Count), new HeaderCard(keyword.ToUpperInvariant(), value, comment));
    }

    public bool Remove(string keyword)
    {
        int i = IndexOf(keyword);
        if (i < 0) return false;
        _cards.RemoveAt(i);
        return true;
    }

    public void RemoveAll(Predicate<HeaderCard> match) => _cards.RemoveAll(match);
    public void Add(HeaderCard card) => _cards.Add(card);
    public void AddHistory(string text) => _cards.Add(HeaderCard.HistoryCard(text));
    public void AddComment(string text) => _cards.Add(HeaderCard.CommentCard(text));

    private static object? NormaliseValue(object? value) => value switch
    {
        null or string or bool or long or double or ulong => value,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        uint u => (long)u,
        float f => (double)f,
        decimal m => (double)m,
        _ => throw new ArgumentException($"a FITS header value must be a string, bool, integer or real number, not {value.GetType().Name}"),
    };

    public IEnumerator<HeaderCard> GetEnumerator() => _cards.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(Environment.NewLine, _cards);

    // ---------------------------------------------------------------- parsing

    /// <summary>
    /// Parses header cards from whole 2880-byte blocks. Returns false when no END card was found
    /// in <paramref name="blocks"/> (the caller reads another block and tries again).
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> blocks, out FitsHeader header, out int headerLength)
    {
        header = new FitsHeader();
        headerLength = 0;
        int cardCount = blocks.Length / CardLength;
        for (int c = 0; c < cardCount; c++)
        {
            var raw = blocks.Slice(c * CardLength, CardLength);
            foreach (byte b in raw)
                if (b < 0x20 || b > 0x7E)
                    throw new FormatException($"header card {c + 1} contains a non-ASCII or control byte (0x{b:X2}); this is not a FITS header");
            string card = Encoding.ASCII.GetString(raw);
            string keyword = card[..8].TrimEnd();
            if (keyword == "END")
            {
                headerLength = ((c + 1) * CardLength + BlockLength - 1) / BlockLength * BlockLength;
                return true;
            }
            header.AppendParsed(ParseCard(card));
        }
        return false;
    }

    private void AppendParsed(HeaderCard card)
    {
        // Long-string convention: a string ending in '&' continues in CONTINUE cards.
        if (card.Keyword == "CONTINUE" && _cards.Count > 0 && _cards[^1].Value is string prev && prev.EndsWith('&'))
        {
            var last = _cards[^1];
            string more = card.Value as string ?? "";
            string? comment = last.Comment;
            if (!string.IsNullOrEmpty(card.Comment)) comment = string.IsNullOrEmpty(comment) ? card.Comment : comment + " " + card.Comment;
            _cards[^1] = last with { Value = prev[..^1] + more, Comment = comment };
            return;
        }
        _cards.Add(card);
    }

    internal static HeaderCard ParseCard(string card)
    {
        string keyword = card[..8].TrimEnd();
        int valueStart;
        if (keyword == "HIERARCH")
        {
            int eq = card.IndexOf('=', 8);
            if (eq < 0) return new HeaderCard("", null, card[8..].TrimEnd());
            keyword = card[8..eq].Trim();
            valueStart = eq + 1;
        }
        else if (keyword == "CONTINUE")
        {
            valueStart = 8;
        }
        else if (card.Length >= 10 && card[8] == '=' && card[9] == ' ')
        {
            valueStart = 10;
        }
        else
        {
            // Commentary card (COMMENT, HISTORY, blank keyword, or any keyword without "= ").
            string text = card.Length > 8 ? card[8..].TrimEnd() : "";
            return new HeaderCard(keyword, null, text) { WithoutValueIndicator = keyword is not ("COMMENT" or "HISTORY" or "") };
        }

        string rest = card[valueStart..];
        int p = 0;
        while (p < rest.Length && rest[p] == ' ') p++;
        if (p == rest.Length) return new HeaderCard(keyword, null);

        if (rest[p] == '\'')
        {
            var sb = new StringBuilder();
            int q = p + 1;
            while (true)
            {
                if (q >= rest.Length) throw new FormatException($"keyword {keyword}: string value has no closing quote");
                if (rest[q] == '\'')
                {
                    if (q + 1 < rest.Length && rest[q + 1] == '\'') { sb.Append('\''); q += 2; continue; }
                    break;
                }
                sb.Append(rest[q]);
                q++;
            }
            string value = sb.ToString().TrimEnd();
            return new HeaderCard(keyword, value, ParseComment(rest, q + 1));
        }

        int slash = rest.IndexOf('/', p);
        string token = (slash < 0 ? rest[p..] : rest[p..slash]).Trim();
        string? comment = slash < 0 ? null : rest[(slash + 1)..].Trim();
        if (token.Length == 0) return new HeaderCard(keyword, null, comment);
        if (token == "T") return new HeaderCard(keyword, true, comment);
        if (token == "F") return new HeaderCard(keyword, false, comment);
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            return new HeaderCard(keyword, l, comment);
        if (ulong.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ulong ul))
            return new HeaderCard(keyword, ul, comment);
        string f = token.Replace('D', 'E').Replace('d', 'e');
        if (double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            return new HeaderCard(keyword, d, comment);
        // Complex numbers and anything else we do not interpret: keep the text.
        return new HeaderCard(keyword, null, comment, token);
    }

    private static string? ParseComment(string rest, int from)
    {
        int slash = rest.IndexOf('/', from);
        if (slash < 0) return null;
        string c = rest[(slash + 1)..].Trim();
        return c.Length == 0 ? null : c;
    }

    // ---------------------------------------------------------------- writing

    /// <summary>The header as FITS bytes: 80-character cards, END, padded with spaces to whole blocks.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder(_cards.Count * CardLength + BlockLength);
        bool announced = Contains("LONGSTRN");
        foreach (var card in _cards)
        {
            // fitsverify wants the long-string convention announced before it is used.
            if (!announced && card.Value is string s && card.Keyword.Length <= 8 && Quote(s).Length > CardLength - 10)
            {
                AppendCard(sb, new HeaderCard("LONGSTRN", "OGIP 1.0", "The OGIP long string convention may be used"));
                announced = true;
            }
            AppendCard(sb, card);
        }
        sb.Append("END".PadRight(CardLength));
        int padded = (sb.Length + BlockLength - 1) / BlockLength * BlockLength;
        sb.Append(' ', padded - sb.Length);
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static void AppendCard(StringBuilder sb, HeaderCard card)
    {
        string key = card.Keyword;
        foreach (char ch in key + (card.Comment ?? "") + (card.Value as string ?? ""))
            if (ch < 0x20 || ch > 0x7E)
                throw new FormatException($"keyword {key}: FITS headers hold printable ASCII only (found U+{(int)ch:X4})");

        if (card.IsCommentary)
        {
            string text = card.Comment ?? "";
            do
            {
                string part = text.Length > 72 ? text[..72] : text;
                text = text.Length > 72 ? text[72..] : "";
                sb.Append((key.PadRight(8) + part).PadRight(CardLength));
            } while (text.Length > 0);
            return;
        }

        bool hierarch = key.Length > 8 || key.Contains(' ');
        string prefix = hierarch ? $"HIERARCH {key} = " : key.PadRight(8) + "= ";

        if (card.Value is string s)
        {
            AppendString(sb, prefix, s, card.Comment);
            return;
        }

        string v = card.Value switch
        {
            null => card.RawValue ?? "",
            bool b => b ? "T" : "F",
            long l => l.ToString(CultureInfo.InvariantCulture),
            ulong u => u.ToString(CultureInfo.InvariantCulture),
            double d => FormatReal(d, key),
            _ => throw new FormatException($"keyword {key}: unsupported value type {card.Value.GetType().Name}"),
        };
        string line = prefix + (hierarch ? v : v.PadLeft(20));
        if (line.Length > CardLength) throw new FormatException($"keyword {key}: value '{v}' does not fit in one card");
        AppendWithComment(sb, line, card.Comment);
    }

    private static void AppendWithComment(StringBuilder sb, string line, string? comment)
    {
        if (!string.IsNullOrEmpty(comment) && line.Length + 3 < CardLength)
        {
            line += " / " + comment;
            if (line.Length > CardLength) line = line[..CardLength];
        }
        sb.Append(line.PadRight(CardLength));
    }

    private static void AppendString(StringBuilder sb, string prefix, string s, string? comment)
    {
        string quoted = Quote(s);
        if (prefix.Length + quoted.Length <= CardLength)
        {
            // Strings are padded to the 20-character value field as astropy and cfitsio write them:
            // astropy re-formats CHECKSUM this way when it verifies, so the layout must match.
            AppendWithComment(sb, prefix + (IsHierarch(prefix) ? quoted : quoted.PadRight(20)), comment);
            return;
        }
        // Long-string convention: pieces end in '&' and continue in CONTINUE cards. Pieces are cut
        // so that a doubled quote is never split.
        bool first = true;
        int i = 0;
        while (i < s.Length)
        {
            string head = first ? prefix : "CONTINUE  ";
            int room = CardLength - head.Length - 3; // quotes and '&'
            var piece = new StringBuilder();
            int used = 0;
            while (i < s.Length)
            {
                int cost = s[i] == '\'' ? 2 : 1;
                if (used + cost > room) break;
                piece.Append(s[i] == '\'' ? "''" : s[i].ToString());
                used += cost;
                i++;
            }
            bool last = i >= s.Length;
            string text = head + "'" + piece + (last ? "" : "&") + "'";
            if (last) AppendWithComment(sb, text, comment);
            else sb.Append(text.PadRight(CardLength));
            first = false;
        }
    }

    private static bool IsHierarch(string prefix) => prefix.StartsWith("HIERARCH ", StringComparison.Ordinal);

    private static string Quote(string s)
    {
        string q = s.Replace("'", "''");
        if (q.Length < 8) q = q.PadRight(8);
        return "'" + q + "'";
    }

    /// <summary>Shortest text that reads back as the same double, with a decimal point so readers keep it real.</summary>
    internal static string FormatReal(double d, string key)
    {
        if (!double.IsFinite(d)) throw new FormatException($"keyword {key}: FITS headers cannot hold {d}");
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        string mantissa = e < 0 ? r : r[..e];
        string exponent = e < 0 ? "" : r[e..];
        if (!mantissa.Contains('.')) mantissa += ".0";
        return mantissa + exponent;
    }
}
