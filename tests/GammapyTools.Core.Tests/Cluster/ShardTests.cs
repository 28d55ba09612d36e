using GammapyTools.Cluster;

namespace GammapyTools.Tests.Cluster;

public class ShardTests
{
    [Theory]
    [InlineData("1/1", 1, 1)]
    [InlineData("2/8", 2, 8)]
    [InlineData(" 8 / 8 ", 8, 8)]
    public void Parses_i_of_n(string text, int i, int n)
    {
        var s = Shard.Parse(text);
        Assert.Equal((i, n), (s.Index, s.Count));
        Assert.Equal($"{i}/{n}", s.ToString());
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("2")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    [InlineData("")]
    public void Rejects_what_is_not_a_shard(string text)
    {
        var e = Assert.Throws<FormatException>(() => Shard.Parse(text));
        Assert.Contains("i/N", e.Message);
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 5)]
    [InlineData(7, 7)]
    [InlineData(1000, 16)]
    public void Shards_partition_the_run_list_in_balanced_parts(int length, int count)
    {
        var all = Enumerable.Range(1, count).SelectMany(i => new Shard(i, count).Positions(length)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, length), all); // every run once
        var sizes = Enumerable.Range(1, count).Select(i => new Shard(i, count).Positions(length).Count()).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
        for (int k = 0; k < length; k++) Assert.True(Shard.Of(k, count).Contains(k));
    }
}
