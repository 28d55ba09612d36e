using System.Text;
using GammapyTools.Fits;

namespace GammapyTools.Tests.Fits;

public class FitsHeaderTests
{
    private static FitsHeader RoundTrip(FitsHeader h)
    {
        var bytes = h.ToBytes();
        Assert.Equal(0, bytes.Length % 2880);
        Assert.True(FitsHeader.TryParse(bytes, out var back, out int length));
        Assert.Equal(bytes.Length, length);
        return back;
    }

    [Fact]
    public void Values_of_every_kind_survive_a_round_trip()
    {
        var h = new FitsHeader();
        h.Set("OBS_ID", 64080L, "run number");
        h.Set("RA_PNT", 83.633333333333);
        h.Set("TINY", 1.0e-300);
        h.Set("WHOLE", 3.0);
        h.Set("FLAG", true);
        h.Set("NOFLAG", false);
        h.Set("OBJECT", "Crab 'Nebula'");
        h.Set("EMPTY", "");
        h.Set("UNDEF", null, "no value");
        h.AddHistory("converted by a test");
        var back = RoundTrip(h);
        Assert.Equal(64080L, back["OBS_ID"]);
        Assert.Equal(83.633333333333, back["RA_PNT"]);
        Assert.Equal(1.0e-300, back["TINY"]);
        Assert.IsType<double>(back["WHOLE"]);
        Assert.Equal(true, back["FLAG"]);
        Assert.Equal(false, back["NOFLAG"]);
        Assert.Equal("Crab 'Nebula'", back["OBJECT"]);
        Assert.Equal("", back["EMPTY"]);
        Assert.Null(back["UNDEF"]);
        Assert.Equal("no value", back.Find("UNDEF")!.Comment);
        Assert.Contains(back, c => c.Keyword == "HISTORY" && c.Comment == "converted by a test");
    }

    [Fact]
    public void Long_strings_are_written_with_CONTINUE_and_read_back_whole()
    {
        string longText = string.Concat(Enumerable.Range(0, 40).Select(i => $"part{i}'s ")).Trim();
        var h = new FitsHeader();
        h.Set("LONGSTR", longText, "a long one");
        var bytes = h.ToBytes();
        string text = Encoding.ASCII.GetString(bytes);
        Assert.Contains("CONTINUE  '", text);
        var back = RoundTrip(h);
        Assert.Equal(longText, back["LONGSTR"]);
    }

    [Fact]
    public void Parses_cards_as_other_writers_write_them()
    {
        Assert.Equal(1.5e10, FitsHeader.ParseCard("EXPO    =               1.5D10 / Fortran exponent".PadRight(80)).Value);
        Assert.Equal("O'Hara", FitsHeader.ParseCard("NAME    = 'O''Hara '           / quote inside".PadRight(80)).Value);
        var hierarch = FitsHeader.ParseCard("HIERARCH ESO TEL ALT = 45.5 / hierarchical".PadRight(80));
        Assert.Equal("ESO TEL ALT", hierarch.Keyword);
        Assert.Equal(45.5, hierarch.Value);
        var commentary = FitsHeader.ParseCard("        free text without keyword".PadRight(80));
        Assert.True(commentary.IsCommentary);
        var complex = FitsHeader.ParseCard("CPLX    = (1.0, 2.0)".PadRight(80));
        Assert.Equal("(1.0, 2.0)", complex.RawValue);
        Assert.Equal(9223372036854775808UL, FitsHeader.ParseCard("TZERO1  =  9223372036854775808".PadRight(80)).Value);
    }

    [Fact]
    public void Set_replaces_in_place_and_keeps_the_comment()
    {
        var h = new FitsHeader();
        h.Set("A", 1L, "first");
        h.Set("B", 2L);
        h.Set("A", 5L);
        Assert.Equal("A", h[0].Keyword);
        Assert.Equal(5L, h["A"]);
        Assert.Equal("first", h[0].Comment);
        Assert.Equal(5L, h.GetLong("a"));
        Assert.Equal(5.0, h.GetDouble("A"));
    }

    [Fact]
    public void Non_ascii_values_are_refused_with_the_keyword_named()
    {
        var h = new FitsHeader();
        h.Set("OBJECT", "Crab – Nebula");
        var e = Assert.Throws<FormatException>(() => h.ToBytes());
        Assert.Contains("OBJECT", e.Message);
    }

    [Fact]
    public void Non_finite_reals_are_refused()
    {
        var h = new FitsHeader();
        h.Set("BAD", double.NaN);
        Assert.Throws<FormatException>(() => h.ToBytes());
    }

    [Fact]
    public void Checksum_encoding_matches_the_published_example()
    {
        // The convention's paper: a header+data sum of 0x0 encodes as the all-'0' complement.
        // Round trip property: the encoded value added to the sum gives -0.
        foreach (uint sum in new uint[] { 0, 1, 0x12345678, 0xFFFFFFFE, 0xDEADBEEF })
        {
            string enc = Checksum.Encode(sum);
            Assert.Equal(16, enc.Length);
            Assert.Matches("^[0-9A-Za-z]{16}$", enc);
            // Summing the 16 ASCII bytes (as rotated back into place in a card at an offset that is a multiple of 4 + 1 ... )
            var card = Encoding.ASCII.GetBytes(("CHECKSUM= '" + enc + "'").PadRight(80));
            var zero = Encoding.ASCII.GetBytes("CHECKSUM= '0000000000000000'".PadRight(80));
            uint s1 = Checksum.Add(sum, Checksum.Add(Checksum.Accumulate(0, card), ~Checksum.Accumulate(0, zero)));
            Assert.Equal(0xFFFFFFFFu, s1);
        }
    }
}
