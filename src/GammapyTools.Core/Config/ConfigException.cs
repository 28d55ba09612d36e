namespace GammapyTools.Config;

/// <summary>
/// A configuration that cannot be used: broken YAML, a value of the wrong type, a missing required
/// path. The message names the file, the line and column (when known) and the key.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message, string? file = null, long line = 0, long column = 0, string? key = null, Exception? inner = null)
        : base(Compose(message, file, line, column), inner)
    {
        FilePath = file;
        Line = line;
        Column = column;
        Key = key;
    }

    public string? FilePath { get; }
    /// <summary>1-based line of the offending YAML, 0 when unknown.</summary>
    public long Line { get; }
    /// <summary>1-based column of the offending YAML, 0 when unknown.</summary>
    public long Column { get; }
    /// <summary>The key as "section.key", when the error is about one key.</summary>
    public string? Key { get; }

    private static string Compose(string message, string? file, long line, long column)
    {
        string where = (file, line) switch
        {
            (not null, > 0) => $"{file}, line {line}, column {column}: ",
            (not null, _) => $"{file}: ",
            (null, > 0) => $"line {line}, column {column}: ",
            _ => "",
        };
        return where + message;
    }
}
