using Hub.Api.Mercure;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.Mercure;

/// <summary>Which shard a topic falls in, and which feed a connection's selectors let it listen to.</summary>
public class MercureShardsTests
{
    private static readonly TopicSelectorCache Selectors = new(Options.Create(new MercureOptions()));

    public static MercureShards Shards(int count = 16) => new(Options.Create(new MercureOptions { Shards = count }));

    /// <summary>Two origins (<c>https://host</c>) whose topics fall in different shards.</summary>
    public static (string A, string B) TwoOrigins(int count = 16)
    {
        var shards = Shards(count);
        var a = $"https://a-{Guid.NewGuid():N}.example";
        for (var i = 0; ; i++)
        {
            var b = $"https://b{i}-{Guid.NewGuid():N}.example";
            if (shards.ShardOf(a) != shards.ShardOf(b))
                return (a, b);
        }
    }

    private static string? Feed(MercureShards shards, params string[] selectors) => shards.ChannelFor(Selectors.GetAll(selectors))?.Name;

    [Theory]
    [InlineData("https://example.com/books/1", "https://example.com")]
    [InlineData("https://example.com:8443/books/1?x=1", "https://example.com:8443")]
    [InlineData("https://example.com?q", "https://example.com")]
    [InlineData("https://example.com", "https://example.com")]
    [InlineData("urn:isbn:123", "urn:isbn:123")]
    [InlineData("books", "books")]
    public void ATopicsKey_IsItsSchemeAndAuthority_OrTheWholeTopic(string topic, string key) => Assert.Equal(key, MercureShards.KeyOf(topic));

    [Fact]
    public void SelectorsOfOneOrigin_ListenToThatShard()
    {
        var shards = Shards();
        var (a, _) = TwoOrigins();
        var expected = $"mercure-16:{shards.ShardOf(a)}";
        Assert.Equal(expected, Feed(shards, a + "/books/1"));
        Assert.Equal(expected, Feed(shards, a + "/books/{id}"));
        Assert.Equal(expected, Feed(shards, a + "/books/{id}", a + "/users/1", a + "/x{?topic}"));
        Assert.Equal(expected, Feed(shards, a + "?{x}"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://{host}/books/1")]
    [InlineData("{scheme}://example.com/books/1")]
    [InlineData("https://example.com{/path}")]
    [InlineData("https://example.com{+rest}")]
    [InlineData("https://example.com:{port}/books")]
    [InlineData("https://{sub}.example.com/books")]
    public void SelectorsThatCanMatchSeveralOrigins_ListenToTheWholeLog(string selector) =>
        Assert.Null(Feed(Shards(), selector, "https://example.com/books/1"));

    [Fact]
    public void SelectorsOfOriginsInTwoShards_ListenToTheWholeLog()
    {
        var (a, b) = TwoOrigins();
        Assert.Null(Feed(Shards(), a + "/books/{id}", b + "/books/{id}"));
    }

    [Fact]
    public void WithShardsOff_EveryConnectionListensToTheWholeLog_AndUpdatesNameNoChannel()
    {
        var shards = Shards(0);
        Assert.Null(Feed(shards, "https://example.com/books/1"));
        Assert.Null(shards.ChannelsOf(["https://example.com/books/1"]));
    }

    [Fact]
    public void AnUpdate_NamesEachShardOfItsTopicsOnce()
    {
        var shards = Shards();
        var (a, b) = TwoOrigins();
        Assert.Equal(
            [$"mercure-16:{shards.ShardOf(a)}", $"mercure-16:{shards.ShardOf(b)}"],
            shards.ChannelsOf([a + "/1", b + "/1", a + "/2"]));
    }

    [Theory]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/1")]
    [InlineData("https://example.com/books/{id}", "https://example.com/books/")]
    [InlineData("https://example.com/{+path}", "https://example.com/a/b/c?d#e")]
    [InlineData("https://example.com?{x}", "https://example.com?q")]
    [InlineData("https://example.com/users/dunglas/{?topic}", "https://example.com/users/dunglas/?topic=x")]
    public void EveryTopicATemplateMatches_HasTheTemplatesKey(string template, string topic)
    {
        var selector = Selectors.Get(template);
        Assert.True(selector.IsMatch(topic));
        Assert.Equal(MercureShards.KeyOf(selector), MercureShards.KeyOf(topic));
    }
}
