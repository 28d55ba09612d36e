namespace GammapyTools.Tests.Support;

/// <summary>Byte-for-byte comparison of two output trees (sharded vs unsharded, interrupted vs not).</summary>
public static class StoreComparison
{
    /// <summary>Every file under each root, relative path → bytes; <paramref name="normalize"/> may rewrite a file's text (e.g. a config naming its own out_dir).</summary>
    public static void AssertSameFiles(string expectedRoot, string actualRoot, Func<string, string, string>? normalize = null)
    {
        var a = Files(expectedRoot);
        var b = Files(actualRoot);
        Assert.Equal(a, b);
        Assert.NotEmpty(a);
        foreach (string rel in a)
        {
            byte[] x = File.ReadAllBytes(Path.Combine(expectedRoot, rel)), y = File.ReadAllBytes(Path.Combine(actualRoot, rel));
            if (normalize is not null && rel.EndsWith(".yaml", StringComparison.Ordinal))
                Assert.Equal(normalize(rel, System.Text.Encoding.UTF8.GetString(x)), normalize(rel, System.Text.Encoding.UTF8.GetString(y)));
            else Assert.True(x.AsSpan().SequenceEqual(y), $"{rel} differs");
        }
    }

    /// <summary>The visible files under a folder (hidden ones — the campaign lock, temporary files — are no output).</summary>
    public static List<string> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Hidden temporary files of the atomic writers (".name.pid.guid.tmp") left under a folder.</summary>
    public static List<string> TempFiles(string root) =>
        Directory.Exists(root) ? Directory.GetFiles(root, "*.tmp", SearchOption.AllDirectories).ToList() : [];
}

/// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool, too late to cancel at a step).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
