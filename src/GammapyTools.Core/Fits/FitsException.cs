namespace GammapyTools.Fits;

/// <summary>
/// A FITS or DL3 file that cannot be read or written as asked, or whose content is not a usable
/// run. The message always names the file (and the HDU and keyword when known) so that a user
/// looking at a failed batch knows where to look. Every failure inside reading one file ends as
/// this type (see <see cref="Guard{T}"/>), so a batch can report it and go on.
/// </summary>
public sealed class FitsException : IOException
{
    public string? FilePath { get; }
    public int? HduIndex { get; }
    /// <summary>The header keyword or column at fault, when one is.</summary>
    public string? Keyword { get; }
    /// <summary>The problem without the file and HDU prefix (for messages that name the file themselves).</summary>
    public string Reason { get; }

    public FitsException(string message, string? filePath = null, int? hduIndex = null, Exception? inner = null, string? keyword = null)
        : base(Compose(message, filePath, hduIndex), inner)
    {
        FilePath = filePath;
        HduIndex = hduIndex;
        Keyword = keyword;
        Reason = (hduIndex is null ? "" : $"HDU {hduIndex}: ") + message;
    }

    private static string Compose(string message, string? filePath, int? hduIndex)
    {
        var where = filePath is null ? "" : $"{filePath}: ";
        var hdu = hduIndex is null ? "" : $"HDU {hduIndex}: ";
        return where + hdu + message;
    }

    /// <summary>
    /// Runs the reading of one file and turns whatever malformed content makes the code below
    /// throw (overflowing sizes, casts, indices, allocations) into a FitsException naming the file:
    /// one bad file must be one reportable error, never the end of a batch. Errors that are not
    /// about the file's content (null references, invalid operations of the caller) pass through.
    /// </summary>
    public static T Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (Convertible(e) is { } inner && inner is not FitsException)
        {
            throw new FitsException($"malformed content ({inner.GetType().Name}: {inner.Message})", path, inner: inner);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions[0] is FitsException f)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(f).Throw();
            throw;
        }
    }

    /// <summary>The content error inside <paramref name="e"/> (unwrapping AggregateException), or null.</summary>
    private static Exception? Convertible(Exception e)
    {
        if (e is AggregateException a && a.InnerExceptions.Count > 0) e = a.InnerExceptions[0];
        return e is OverflowException or (ArgumentException and not ArgumentNullException) or IndexOutOfRangeException or InvalidCastException
            or OutOfMemoryException or FormatException or InvalidDataException or KeyNotFoundException or EndOfStreamException
            ? e : null;
    }
}

/// <summary>A header value that is missing, out of range or makes sizes overflow; the reader adds the file and HDU.</summary>
internal sealed class FitsHeaderValueException(string keyword, string message) : FormatException(message)
{
    public string Keyword { get; } = keyword;
}
