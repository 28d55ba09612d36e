using GammapyTools.Sky;

namespace GammapyTools.Core.Tests.Sky;

public class SkyCoordTests
{
    [Theory]
    [InlineData(-10.0, 350.0)]
    [InlineData(360.0, 0.0)]
    [InlineData(725.5, 5.5)]
    [InlineData(-1e-15, 0.0)] // -1e-15 + 360 rounds to 360: must come out as 0, not 360
    public void Constructor_NormalisesRa(double ra, double expected)
    {
        var c = new SkyCoord(ra, 10.0);
        Assert.Equal(expected, c.Ra, 12);
        TestPoints.AssertRa(c.Ra);
    }

    [Theory]
    [InlineData(0.0, 90.0001)]
    [InlineData(0.0, -91.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 0.0)]
    [InlineData(double.NaN, 0.0)]
    public void Constructor_RejectsInvalid(double ra, double dec) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SkyCoord(ra, dec));

    [Theory]
    [InlineData("83.633 22.0145", 83.633, 22.0145)]
    [InlineData("83.633, 22.0145", 83.633, 22.0145)]
    [InlineData("83.633,22.0145", 83.633, 22.0145)]
    [InlineData("  83.633   22.0145  ", 83.633, 22.0145)]
    [InlineData("05h34m31.94s +22d00m52.2s", 83.63308333333333, 22.0145)]
    [InlineData("05:34:31.94 +22:00:52.2", 83.63308333333333, 22.0145)]
    [InlineData("05 34 31.94 +22 00 52.2", 83.63308333333333, 22.0145)]
    [InlineData("05h 34m 31.94s +22d 00m 52.2s", 83.63308333333333, 22.0145)]
    [InlineData("5h34m31.94s -0d30m", 83.63308333333333, -0.5)]
    [InlineData("5h34m31.94s -0:30", 83.63308333333333, -0.5)]
    [InlineData("12h30m +12d23m", 187.5, 12.383333333333333)]
    [InlineData("12h 12d", 180.0, 12.0)]
    [InlineData("-10.5 30", 349.5, 30.0)]
    [InlineData("83.6deg 22.0°", 83.6, 22.0)]
    [InlineData("10 -89.5", 10.0, -89.5)]
    [InlineData("10 1e-3", 10.0, 0.001)]
    public void Parse_AcceptedForms(string text, double ra, double dec)
    {
        var c = SkyCoord.Parse(text);
        Assert.Equal(ra, c.Ra, 1e-10);
        Assert.Equal(dec, c.Dec, 1e-10);
        Assert.True(SkyCoord.TryParse(text, out var c2));
        Assert.Equal(c, c2);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("83.633")]
    [InlineData("83.633 22.0 5.0")]
    [InlineData("abc def")]
    [InlineData("83.633 95")]            // Dec out of range
    [InlineData("05h34m 22d61m")]        // minutes >= 60
    [InlineData("05:34:60.5 +22:00:00")] // seconds >= 60
    [InlineData("25h00m +10d")]          // hours > 24
    [InlineData("05h34m 5h")]            // hours for Dec
    [InlineData("5.5:30 10")]            // decimals before the last field
    [InlineData("1,2,3")]
    [InlineData("NaN 10")]
    [InlineData("Infinity 10")]
    public void Parse_Failures_NameTheInput(string text)
    {
        var ex = Assert.Throws<FormatException>(() => SkyCoord.Parse(text));
        Assert.Contains($"'{text}'", ex.Message);
        Assert.False(SkyCoord.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_IsFalse() => Assert.False(SkyCoord.TryParse(null, out _));

    [Fact]
    public void ToString_IsInvariantAndRoundTrips()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var c = new SkyCoord(83.633, 22.0145);
            Assert.Equal("83.633000 22.014500", c.ToString());
            Assert.Equal(c, SkyCoord.Parse(c.ToString()));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void UnitVector_RoundTrips()
    {
        var rng = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            var c = new SkyCoord(rng.NextDouble() * 360.0, rng.NextDouble() * 180.0 - 90.0);
            var v = c.ToUnitVector();
            Assert.Equal(1.0, v.X * v.X + v.Y * v.Y + v.Z * v.Z, 1e-15);
            var back = SkyCoord.FromUnitVector(v);
            Assert.True(c.SeparationTo(back) < 1e-12);
        }
    }

    [Fact]
    public void Galactic_KnownPointsAndRoundTrip()
    {
        // Sgr A* is at l = 359.944°, b = -0.046°.
        var gc = new SkyCoord(266.41683333, -29.00780556).ToGalactic();
        Assert.Equal(359.944, gc.L, 0.001);
        Assert.Equal(-0.046, gc.B, 0.001);

        var rng = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            var c = new SkyCoord(rng.NextDouble() * 360.0, rng.NextDouble() * 180.0 - 90.0);
            var g = c.ToGalactic();
            TestPoints.AssertRa(g.L);
            Assert.True(c.SeparationTo(g.ToIcrs()) < 1e-12);
        }
    }
}
