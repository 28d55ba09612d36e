namespace GammapyTools.Fits;

/// <summary>An HDU held in memory: a header and its data. Built by the reader or by code that writes files.</summary>
public abstract class Hdu
{
    protected Hdu(FitsHeader header) { Header = header; }

    public FitsHeader Header { get; }

    /// <summary>EXTNAME, or null (the primary HDU usually has none).</summary>
    public string? Name => Header.GetString("EXTNAME");
}

/// <summary>
/// A primary or IMAGE extension HDU. <see cref="Data"/> holds the stored values in FITS axis
/// order (NAXIS1 fastest) as byte/short/int/long/float/double by BITPIX; BSCALE/BZERO stay in the
/// header. A primary HDU without data (as in every DL3 file) has no axes and null data.
/// </summary>
public sealed class ImageHdu : Hdu
{
    public ImageHdu(FitsHeader header, bool isPrimary, int[] axes, Array? data) : base(header)
    {
        IsPrimary = isPrimary;
        Axes = axes;
        Data = data;
    }

    public bool IsPrimary { get; }
    public int[] Axes { get; }
    public Array? Data { get; }

    public static ImageHdu EmptyPrimary() => new(new FitsHeader(), true, [], null);
}

/// <summary>A BINTABLE extension.</summary>
public sealed class BinaryTableHdu : Hdu
{
    public BinaryTableHdu(FitsHeader header, BinaryTable table) : base(header) { Table = table; }

    public BinaryTable Table { get; }

    public static BinaryTableHdu Create(string extname, BinaryTable table)
    {
        var header = new FitsHeader();
        header.Set("EXTNAME", extname);
        return new BinaryTableHdu(header, table);
    }
}

/// <summary>
/// An HDU we pass through without interpreting its data (ASCII tables, random groups, unknown
/// extensions): header and data bytes are written back as they were read.
/// </summary>
public sealed class RawHdu : Hdu
{
    public RawHdu(FitsHeader header, byte[] data) : base(header) { Data = data; }

    /// <summary>The data bytes, without block padding.</summary>
    public byte[] Data { get; }
}
