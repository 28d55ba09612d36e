using System.Globalization;
using System.IO.Compression;
using System.Text;
using GammapyTools.Fits;

namespace GammapyTools.Tests.Fuzz;

/// <summary>One header card of a valid FITS byte array: where it is and what it says.</summary>
public sealed record CardRef(int Hdu, int Offset, string Keyword, string ValueText);

/// <summary>
/// Byte-level edits of FITS files for the fuzz and regression tests: header cards are found by
/// walking the file's headers (a valid file, so sizes can be trusted) and rewritten in place, so a
/// mutated file is the original with exactly the edit made, whatever our reader thinks of it.
/// </summary>
public static class FitsMutator
{
    private const int Card = 80, Block = 2880;

    /// <summary>Every card of every header, in file order (END excluded).</summary>
    public static List<CardRef> Cards(byte[] fits)
    {
        var cards = new List<CardRef>();
        long offset = 0;
        int hdu = 0;
        while (offset + Block <= fits.Length)
        {
            var values = new Dictionary<string, string>();
            long at = offset;
            bool end = false;
            while (!end && at + Card <= fits.Length)
            {
                string text = Encoding.ASCII.GetString(fits, (int)at, Card);
                string key = text[..8].TrimEnd();
                if (key == "END") end = true;
                else
                {
                    string value = text.Length > 10 && text[8] == '=' ? text[10..] : "";
                    cards.Add(new CardRef(hdu, (int)at, key, value));
                    values.TryAdd(key, value.Split('/')[0].Trim());
                }
                at += Card;
            }
            if (!end) break;
            long headerEnd = (at + Block - 1) / Block * Block;
            long L(string k) => values.TryGetValue(k, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var l) ? l : 0;
            long naxis = L("NAXIS"), product = naxis == 0 ? 0 : 1;
            for (int i = 1; i <= naxis; i++) product *= L($"NAXIS{i}");
            long gcount = values.ContainsKey("GCOUNT") ? L("GCOUNT") : 1;
            long data = Math.Abs(L("BITPIX")) / 8 * gcount * (L("PCOUNT") + product);
            offset = headerEnd + (data + Block - 1) / Block * Block;
            hdu++;
        }
        return cards;
    }

    /// <summary>Rewrites a card's value field ("KEYWORD = value"), keeping its keyword; the value text is written as given.</summary>
    public static void SetValue(byte[] fits, CardRef card, string valueText)
    {
        string text = (card.Keyword.PadRight(8) + "= " + valueText).PadRight(Card);
        Encoding.ASCII.GetBytes(text[..Card]).CopyTo(fits, card.Offset);
    }

    /// <summary>A copy of <paramref name="fits"/> with <paramref name="keyword"/> of HDU <paramref name="hdu"/> set to <paramref name="valueText"/>.</summary>
    public static byte[] WithValue(byte[] fits, int hdu, string keyword, string valueText)
    {
        var copy = (byte[])fits.Clone();
        var card = Cards(copy).FirstOrDefault(c => c.Hdu == hdu && c.Keyword == keyword)
            ?? throw new ArgumentException($"HDU {hdu} has no {keyword} card");
        SetValue(copy, card, valueText);
        return copy;
    }

    /// <summary>The header card of a column's TFORM/TTYPE etc. by column name: the n of TTYPEn = name.</summary>
    public static int ColumnNumber(byte[] fits, int hdu, string column)
    {
        var card = Cards(fits).First(c => c.Hdu == hdu && c.Keyword.StartsWith("TTYPE", StringComparison.Ordinal)
            && c.ValueText.Split('/')[0].Trim().Trim('\'').Trim() == column);
        return int.Parse(card.Keyword[5..], CultureInfo.InvariantCulture);
    }

    public static byte[] Gzip(byte[] plain)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        return ms.ToArray();
    }

    /// <summary>The HDUs of a file, each re-built by <paramref name="edit"/> (return null to drop one), written again.</summary>
    public static byte[] Rewrite(byte[] fits, Func<int, Hdu, Hdu?> edit)
    {
        string path = Path.Combine(Support.TestPaths.NewTempDir(), "in.fits");
        File.WriteAllBytes(path, fits);
        List<Hdu> hdus;
        using (var f = FitsFile.Open(path)) hdus = f.ReadAll().ToList();
        var kept = hdus.Select((h, i) => edit(i, h)).Where(h => h is not null).Select(h => h!).ToList();
        using var ms = new MemoryStream();
        FitsWriter.WriteTo(ms, kept);
        return ms.ToArray();
    }

    /// <summary>The first <paramref name="rows"/> rows of a table (every column kept, with its format and metadata).</summary>
    public static BinaryTableHdu Head(BinaryTableHdu hdu, int rows)
    {
        rows = Math.Min(rows, hdu.Table.RowCount);
        var columns = hdu.Table.Columns.Select(c =>
        {
            int per = c.Format.Type == 'A' || c.Format.IsVariableLength ? 1 : c.Repeat;
            var data = Array.CreateInstance(c.Data.GetType().GetElementType()!, rows * per);
            Array.Copy(c.Data, data, rows * per);
            return new FitsColumn(c.Name, c.Format, data, c.Unit, c.Dim) { Scale = c.Scale, Zero = c.Zero, Null = c.Null };
        });
        return new BinaryTableHdu(hdu.Header.Clone(), new BinaryTable(rows, columns));
    }
}
