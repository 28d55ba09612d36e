namespace GammapyTools.Fits;

/// <summary>
/// A FITS file that cannot be read or written as asked. The message always names the file
/// (and the HDU when known) so that a user looking at a failed batch knows where to look.
/// </summary>
public sealed class FitsException : IOException
{
    public string? FilePath { get; }
    public int? HduIndex { get; }

    public FitsException(string message, string? filePath = null, int? hduIndex = null, Exception? inner = null)
        : base(Compose(message, filePath, hduIndex), inner)
    {
        FilePath = filePath;
        HduIndex = hduIndex;
    }

    private static string Compose(string message, string? filePath, int? hduIndex)
    {
        var where = filePath is null ? "" : $"{filePath}: ";
        var hdu = hduIndex is null ? "" : $"HDU {hduIndex}: ";
        return where + hdu + message;
    }
}
