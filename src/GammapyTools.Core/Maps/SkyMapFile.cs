using GammapyTools.Fits;

namespace GammapyTools.Maps;

/// <summary>
/// A sky map as a FITS file that gammapy reads image by image (<c>Map.read(path, hdu="SQRT_TS")</c>):
/// one IMAGE extension per map, float64, NAXIS1 = NX (RA axis), NAXIS2 = NY, each with the map's WCS
/// (<see cref="WcsGeometry.WriteWcs"/>); the parameters and the numbers read off the map in the primary
/// header; the runs (OBS_ID) and the exclusion circles as small tables.
/// </summary>
public static class SkyMapFile
{
    /// <summary>The image extensions, in file order (gammapy's names where it has one).</summary>
    public static readonly IReadOnlyList<string> ImageNames =
        ["COUNTS", "BACKGROUND", "NPRED", "NPRED_BACKGROUND", "EXCESS", "ALPHA", "SQRT_TS", "COUNTS_OFF", "ACCEPTANCE_OFF", "EXCLUSION", "SAFE"];

    /// <summary>Writes <paramref name="map"/> atomically; returns the full path.</summary>
    /// <exception cref="FitsException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static string Write(string path, SkyMap map, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        string full = Path.GetFullPath(path);
        var hdus = new List<Hdu> { Primary(map) };
        foreach (string name in ImageNames) hdus.Add(Image(map, name));
        hdus.Add(RunTable(map));
        hdus.Add(RegionTable(map));
        FitsWriter.Write(full, hdus, overwrite, cancellationToken);
        return full;
    }

    /// <summary>The values of one named map, row-major (the order FITS stores them: x fastest).</summary>
    public static double[] Values(SkyMap map, string name) => name switch
    {
        "COUNTS" => map.Counts,
        "BACKGROUND" => map.Background,
        "NPRED" => map.CountsOn,
        "NPRED_BACKGROUND" => map.BackgroundOn,
        "EXCESS" => map.Excess,
        "ALPHA" => map.Alpha,
        "SQRT_TS" => map.Significance,
        "COUNTS_OFF" => map.CountsOff,
        "ACCEPTANCE_OFF" => map.AcceptanceOff,
        "EXCLUSION" => map.Exclusion.Select(b => b ? 1.0 : 0.0).ToArray(),
        "SAFE" => map.Safe.Select(b => b ? 1.0 : 0.0).ToArray(),
        _ => throw new ArgumentException($"no map named {name} (known: {string.Join(", ", ImageNames)})"),
    };

    private static string Describe(string name) => name switch
    {
        "COUNTS" => "counts, stacked where each run is safe",
        "BACKGROUND" => "predicted background counts (acceptance)",
        "NPRED" => "ON counts in the top-hat of radius theta",
        "NPRED_BACKGROUND" => "alpha x OFF counts",
        "EXCESS" => "ON counts - alpha x OFF counts",
        "ALPHA" => "ON acceptance / OFF acceptance",
        "SQRT_TS" => "signed Li & Ma significance (WStat sqrt_ts)",
        "COUNTS_OFF" => "counts outside the exclusions in the ring",
        "ACCEPTANCE_OFF" => "background outside the exclusions in the ring",
        "EXCLUSION" => "1 outside the exclusion regions, 0 inside",
        "SAFE" => "1 where the map is safe",
        _ => name,
    };

    private static ImageHdu Primary(SkyMap map)
    {
        var h = new FitsHeader();
        var p = map.Parameters;
        h.Set("ORIGIN", "GammapyTools", "ring-background sky map (New-SkyMap)");
        h.Set("RA_OBJ", map.Target.Ra, "[deg] map centre, where SIG_TGT is read");
        h.Set("DEC_OBJ", map.Target.Dec, "[deg] map centre");
        h.Set("E_MIN", p.EnergyMin, "[TeV] lowest reconstructed energy");
        h.Set("E_MAX", p.EnergyMax, "[TeV] highest reconstructed energy");
        h.Set("E_BINS", (long)p.EffectiveEnergyBins, "energy bins the background is integrated over");
        h.Set("THETA", p.Theta, "[deg] top-hat correlation radius");
        h.Set("RING_RIN", p.RingInnerRadius, "[deg] inner radius of the ring");
        h.Set("RING_WID", p.RingWidth, "[deg] width of the ring");
        h.Set("OFFMAX", p.OffsetMax, "[deg] safe mask: offset from each run's pointing");
        h.Set("EXCL_R", p.ExclusionRadius, "[deg] exclusion radius around the target");
        h.Set("N_RUNS", (long)map.RunCount, "runs stacked (table RUNS)");
        h.Set("SIG_TGT", Finite(map.SignificanceAtTarget), "significance at the target");
        h.Set("OFF_MEAN", Finite(map.OffMean), "mean of off-exclusion significances");
        h.Set("OFF_WID", Finite(map.OffWidth), "std of off-exclusion significances");
        h.Set("OFF_PIX", (long)map.OffPixels, "off-exclusion pixels in the fit");
        h.Set("MAX_OFF", Finite(map.MaxOffSignificance), "largest |significance| outside the exclusions");
        return new ImageHdu(h, true, [], null);
    }

    // FITS has no NaN in a header: an undefined number (no off pixels) is written as an undefined value.
    private static object? Finite(double v) => double.IsFinite(v) ? v : null;

    private static ImageHdu Image(SkyMap map, string name)
    {
        var h = new FitsHeader();
        h.Set("EXTNAME", name, Describe(name));
        map.Geometry.WriteWcs(h);
        var data = (double[])Values(map, name).Clone();
        return new ImageHdu(h, false, [map.Geometry.NX, map.Geometry.NY], data);
    }

    private static BinaryTableHdu RunTable(SkyMap map) =>
        BinaryTableHdu.Create("RUNS", new BinaryTable(map.ObsIds.Count, [FitsColumn.Create("OBS_ID", map.ObsIds.ToArray())]));

    private static BinaryTableHdu RegionTable(SkyMap map)
    {
        var regions = new List<(double Ra, double Dec, double R)>();
        if (map.Parameters.ExclusionRadius > 0) regions.Add((map.Target.Ra, map.Target.Dec, map.Parameters.ExclusionRadius));
        regions.AddRange(map.Parameters.ExclusionRegions.Select(r => (r.Center.Ra, r.Center.Dec, r.Radius)));
        return BinaryTableHdu.Create("EXCLUSIONS", new BinaryTable(regions.Count,
        [
            FitsColumn.Create("RA", regions.Select(r => r.Ra).ToArray(), unit: "deg"),
            FitsColumn.Create("DEC", regions.Select(r => r.Dec).ToArray(), unit: "deg"),
            FitsColumn.Create("RADIUS", regions.Select(r => r.R).ToArray(), unit: "deg"),
        ]));
    }
}
