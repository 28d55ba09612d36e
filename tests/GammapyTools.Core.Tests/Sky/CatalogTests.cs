using System.Globalization;
using GammapyTools.Fits;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;
using Xunit.Abstractions;

namespace GammapyTools.Core.Tests.Sky;

public class CatalogTests(ITestOutputHelper output)
{
    private static string GammaCat => TestPaths.Data("catalogs", "gammacat.fits.gz");
    private static string Hawc => TestPaths.Data("catalogs", "3HWC.ecsv");
    private static string Hipparcos => TestPaths.Data("catalogs", "Hipparcos_MAG8_1997.dat");

    private static readonly Lazy<CatalogSet> Set = new(() => CatalogSet.Load([GammaCat, Hawc, Hipparcos]));

    // ------------------------------------------------------------ readers vs astropy

    private static List<(string Name, double Ra, double Dec)> Astropy(string kind, string path)
    {
        Oracles.Require(Oracle.Astropy);
        var (code, text) = Oracles.RunPython("catalog_positions.py", kind, path);
        Assert.True(code == 0, text);
        var rows = new List<(string, double, double)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            int q = line.LastIndexOf('"');
            var nums = line[(q + 2)..].Split(',');
            rows.Add((line[1..q], double.Parse(nums[0], CultureInfo.InvariantCulture), double.Parse(nums[1], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    private static void AssertSamePositions(IReadOnlyList<(string Name, SkyCoord Position)> ours, List<(string Name, double Ra, double Dec)> theirs)
    {
        Assert.Equal(theirs.Count, ours.Count);
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(theirs[i].Name, ours[i].Name);
            Assert.True(Math.Abs(ours[i].Position.Ra - theirs[i].Ra) <= 1e-9 && Math.Abs(ours[i].Position.Dec - theirs[i].Dec) <= 1e-9,
                $"{ours[i].Name}: ours {ours[i].Position.Ra},{ours[i].Position.Dec} astropy {theirs[i].Ra},{theirs[i].Dec}");
        }
    }

    [SkippableFact]
    public void GammaCat_PositionsAgreeWithAstropy()
    {
        var sources = GammaCatReader.Read(GammaCat);
        Assert.Equal(162, sources.Count);
        var theirs = Astropy("gammacat", GammaCat);
        AssertSamePositions(sources.Select(s => (s.Name, s.Position)).ToList(), theirs);
    }

    [SkippableFact]
    public void Hawc_PositionsAgreeWithAstropy()
    {
        var sources = HawcCatalogReader.Read(Hawc);
        Assert.Equal(65, sources.Count);
        Assert.All(sources, s => Assert.Equal("3HWC", s.Catalog));
        var theirs = Astropy("3hwc", Hawc);
        AssertSamePositions(sources.Select(s => (s.Name, s.Position)).ToList(), theirs);
    }

    [SkippableFact]
    public void Hipparcos_PositionsAgreeWithAstropy()
    {
        var stars = HipparcosReader.Read(Hipparcos);
        Assert.Equal(41057, stars.Count);
        Assert.All(stars, s => Assert.True(s.VMag < 8.5));
        var theirs = Astropy("hipparcos", Hipparcos);
        AssertSamePositions(stars.Select(s => (s.Hip.ToString(CultureInfo.InvariantCulture), s.Position)).ToList(), theirs);
    }

    [Fact]
    public void GammaCat_AliasesAndExtensions()
    {
        var sources = GammaCatReader.Read(GammaCat);
        var crab = sources.Single(s => s.Name == "Crab nebula");
        Assert.Null(crab.ExtensionRadius); // point
        Assert.Contains("3C 144", crab.Aliases);
        var mrk421 = sources.Single(s => s.Name == "Markarian 421");
        Assert.Contains("Mrk 421", mrk421.Aliases);
        Assert.Contains("HESS J1104+382", mrk421.Aliases);
        Assert.DoesNotContain("Markarian 421", mrk421.Aliases); // the main name is not repeated
        var cta1 = sources.Single(s => s.Name == "CTA 1"); // gauss, sigma 0.3
        Assert.Equal(0.3, cta1.ExtensionRadius!.Value, 6);
        var velaJr = sources.Single(s => s.Name == "Vela Junior"); // shell, 1.0
        Assert.Equal(1.0, velaJr.ExtensionRadius!.Value, 6);
    }

    [Fact]
    public void Hawc_ExtensionIsSpec0Radius()
    {
        var sources = HawcCatalogReader.Read(Hawc);
        Assert.Null(sources.Single(s => s.Name == "3HWC J0534+220").ExtensionRadius);
        Assert.Contains(sources, s => s.ExtensionRadius is 0.5 or 1.0);
    }

    // ------------------------------------------------------------ resolution

    [Theory]
    [InlineData("Crab", "Crab nebula", 83.63308, 22.0145)]
    [InlineData("Crab Nebula", "Crab nebula", 83.63308, 22.0145)]
    [InlineData("crab_nebula", "Crab nebula", 83.63308, 22.0145)]
    [InlineData("1ES 1218+304", "1ES 1218+304", 185.34143, 30.176989)]
    [InlineData("1ES1218+304", "1ES 1218+304", 185.34143, 30.176989)]
    [InlineData("1es-1218+304", "1ES 1218+304", 185.34143, 30.176989)]
    [InlineData("Mrk 421", "Markarian 421", 166.11, 38.2)]
    [InlineData("MRK421", "Markarian 421", 166.11, 38.2)]
    [InlineData("3HWC J0534+220", "3HWC J0534+220", 83.6279, 22.0243)]
    public void Resolve_Names(string text, string expectedName, double ra, double dec)
    {
        var r = Set.Value.Resolve(text);
        Assert.NotNull(r.Source);
        Assert.Equal(expectedName, r.Source!.Name);
        Assert.True(r.Position.SeparationTo(new SkyCoord(ra, dec)) < 0.05, r.Position.ToString());
    }

    [Fact]
    public void Resolve_CoordinateString()
    {
        var r = Set.Value.Resolve("05h34m31.94s +22d00m52.2s");
        Assert.Null(r.Source);
        Assert.True(r.Position.SeparationTo(new SkyCoord(83.633083, 22.0145)) < 1e-5);
        var d = Set.Value.Resolve("83.633, 22.0145");
        Assert.Equal(83.633, d.Position.Ra, 9);
    }

    [Fact]
    public void Resolve_UnknownName_ListsCloseMatches()
    {
        var e = Assert.Throws<SourceNotFoundException>(() => Set.Value.Resolve("Mrk 42"));
        Assert.IsAssignableFrom<KeyNotFoundException>(e);
        Assert.InRange(e.Suggestions.Count, 1, 5);
        Assert.Contains("Mrk 421", e.Suggestions);
        Assert.Contains("Mrk 421", e.Message);
        Assert.Contains("'Mrk 42'", e.Message);
        output.WriteLine(e.Message);

        var e2 = Assert.Throws<SourceNotFoundException>(() => Set.Value.Resolve("Crab Nebulla"));
        Assert.Equal("Crab nebula", e2.Suggestions[0]);
    }

    [Fact]
    public void Normalize_IgnoresCaseSpacesHyphensUnderscores() =>
        Assert.Equal(CatalogSet.Normalize("1ES 1218+304"), CatalogSet.Normalize(" 1es_-1218+304"));

    // ------------------------------------------------------------ cone lookups

    [Fact]
    public void SourcesWithin_FindsCrabInBothCatalogs()
    {
        var near = Set.Value.SourcesWithin(new SkyCoord(83.63, 22.01), 0.1);
        Assert.Contains(near, s => s.Name == "Crab nebula" && s.Catalog == "gamma-cat");
        Assert.Contains(near, s => s.Name == "3HWC J0534+220");
        Assert.All(near, s => Assert.True(s.Position.SeparationTo(new SkyCoord(83.63, 22.01)) <= 0.1));
    }

    [Fact]
    public void StarsWithin_BrightStarsNearZetaTau()
    {
        // zeta Tau (HIP 26451, V = 3.0) lies 1.1° from the Crab.
        var stars = Set.Value.StarsWithin(new SkyCoord(83.633, 22.0145), 1.5, 6.0);
        Assert.Contains(stars, s => s.Hip == 26451);
        Assert.All(stars, s => Assert.True(s.VMag < 6.0));
        Assert.True(stars.Zip(stars.Skip(1)).All(p => p.First.VMag <= p.Second.VMag));
    }

    // ------------------------------------------------------------ discovery and errors

    [Fact]
    public void Load_DiscoversGammapyData()
    {
        string root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "catalogs", "gammacat"));
        File.Copy(GammaCat, Path.Combine(root, "catalogs", "gammacat", "gammacat.fits.gz"));
        File.Copy(Hawc, Path.Combine(root, "catalogs", "3HWC.ecsv"));
        string? old = Environment.GetEnvironmentVariable(CatalogSet.GammapyDataVariable);
        try
        {
            Environment.SetEnvironmentVariable(CatalogSet.GammapyDataVariable, root);
            var set = CatalogSet.Load(null);
            Assert.Equal(2, set.Files.Count);
            Assert.Equal(162 + 65, set.Sources.Count);
            Assert.Equal("Crab nebula", set.Resolve("Crab").Source!.Name);

            Environment.SetEnvironmentVariable(CatalogSet.GammapyDataVariable, Path.Combine(root, "nothing-here"));
            Assert.Empty(CatalogSet.Load([]).Sources);
            var e = Assert.Throws<SourceNotFoundException>(() => CatalogSet.Load().Resolve("Crab"));
            Assert.Contains("GAMMAPY_DATA", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CatalogSet.GammapyDataVariable, old);
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void MissingFile_IsClearError()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "nope.fits.gz");
        var e = Assert.Throws<FileNotFoundException>(() => CatalogSet.Load([path]));
        Assert.Equal($"catalog file not found: {path}", e.Message);
        Assert.Throws<FileNotFoundException>(() => HawcCatalogReader.Read(Path.ChangeExtension(path, ".ecsv")));
        Assert.Throws<FileNotFoundException>(() => HipparcosReader.Read(Path.ChangeExtension(path, ".dat")));
    }

    [Fact]
    public void BadInput_NamesTheFile()
    {
        string dir = TestPaths.NewTempDir();
        try
        {
            string notFits = Path.Combine(dir, "bad.fits");
            File.WriteAllText(notFits, new string('x', 5000));
            var fe = Assert.Throws<FitsException>(() => GammaCatReader.Read(notFits));
            Assert.Contains(notFits, fe.Message + fe.FilePath);

            // a FITS table without the gamma-cat columns
            string other = Path.Combine(dir, "other.fits");
            FitsWriter.Write(other, [ImageHdu.EmptyPrimary(), BinaryTableHdu.Create("X", new BinaryTable(1, [FitsColumn.Create("A", new[] { 1.0f })]))]);
            var fe2 = Assert.Throws<FitsException>(() => GammaCatReader.Read(other));
            Assert.Contains("common_name", fe2.Message);
            Assert.Equal(other, fe2.FilePath);

            string ecsv = Path.Combine(dir, "bad.ecsv");
            File.WriteAllLines(ecsv, File.ReadAllLines(Hawc).Select((l, i) => i == 27 ? l.Replace(" 83.6279 ", " 83.6x79 ") : l));
            var e1 = Assert.Throws<FormatException>(() => HawcCatalogReader.Read(ecsv));
            Assert.Contains(ecsv, e1.Message);
            File.WriteAllText(ecsv, "source_name ra dec\n\"x\" 1 2\n");
            Assert.Contains(ecsv, Assert.Throws<FormatException>(() => HawcCatalogReader.Read(ecsv)).Message);

            string dat = Path.Combine(dir, "bad.dat");
            File.WriteAllText(dat, "#_RAJ2000\t_DEJ2000\tHIP\tVmag\tB-V\n1.0\t2.0\t3\tbright\t0.1\n");
            var e3 = Assert.Throws<FormatException>(() => HipparcosReader.Read(dat));
            Assert.Contains(dat, e3.Message);
            Assert.Contains("line 2", e3.Message);

            string unknownKind = Path.Combine(dir, "x.xyz");
            File.WriteAllText(unknownKind, "x");
            Assert.Contains(unknownKind, Assert.Throws<FormatException>(() => CatalogSet.Load([unknownKind])).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
