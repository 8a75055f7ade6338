using System.Net;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>
/// Sharded live traffic on one node: which feed a connection listens to (the node's status lists the
/// Mercure feeds), and that Mercure's guarantees hold across shard feeds and the whole log's feed alike.
/// </summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureShardingTests(MercureHubFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task SelectorsOfOneOrigin_ListenToThatShardsFeed_OthersToTheWholeLogsFeed()
    {
        var (a, b) = MercureShardsTests.TwoOrigins();
        var shard = $"mercure-16:{MercureShardsTests.Shards().ShardOf(a)}";
        // Connections of earlier tests may still be closing: wait for this test's own figures.
        await Eventually.TrueAsync(async () => !(await MercureFeedsAsync(Client)).ContainsKey(""), "no connection listens to the whole log");
        await using var oneOrigin = await SseStream.OpenAsync(Client, Subscribe(a + "/books/{id}", a + "/users/1"), waitUntilAttached: false);
        var feeds = await MercureFeedsAsync(Client);
        Assert.Equal(1, feeds.GetValueOrDefault(shard));
        Assert.False(feeds.ContainsKey(""), "a connection of one origin needs no whole-log feed");

        await using var twoOrigins = await SseStream.OpenAsync(Client, Subscribe(a + "/books/{id}", b + "/books/{id}"), waitUntilAttached: false);
        await using var everything = await SseStream.OpenAsync(Client, Subscribe("*"), waitUntilAttached: false);
        await using var variableAuthority = await SseStream.OpenAsync(Client, Subscribe("https://{host}/books/1"), waitUntilAttached: false);
        feeds = await MercureFeedsAsync(Client);
        Assert.Equal(1, feeds.GetValueOrDefault(shard));
        Assert.Equal(3, feeds.GetValueOrDefault(""));
    }

    [Fact]
    public async Task AnUpdateOnTwoOrigins_ReachesEveryConnectionOnce_InOrder_WhicheverFeedItListensTo()
    {
        var (a, b) = MercureShardsTests.TwoOrigins();
        await using var onA = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}"), waitUntilAttached: false);
        await using var onB = await SseStream.OpenAsync(Client, Subscribe(b + "/{id}"), waitUntilAttached: false);
        await using var onBoth = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}", b + "/{id}"), waitUntilAttached: false);
        await using var onAll = await SseStream.OpenAsync(Client, Subscribe("*"), waitUntilAttached: false);

        await PublishAsync([a + "/1", b + "/1"], "both-1");
        await PublishAsync([a + "/2"], "a-2");
        await PublishAsync([b + "/3"], "b-3");
        await PublishAsync([b + "/4", a + "/4"], "both-4");
        await PublishAsync([a + "/5", b + "/5"], "sentinel");

        Assert.Equal(["both-1", "a-2", "both-4", "sentinel"], (await onA.NextAsync(4)).Select(e => e.Data));
        Assert.Equal(["both-1", "b-3", "both-4", "sentinel"], (await onB.NextAsync(4)).Select(e => e.Data));
        Assert.Equal(["both-1", "a-2", "b-3", "both-4", "sentinel"], (await onBoth.NextAsync(5)).Select(e => e.Data));
        Assert.Equal(["both-1", "a-2", "b-3", "both-4", "sentinel"], (await onAll.NextAsync(5)).Select(e => e.Data));
    }

    [Fact]
    public async Task ResumeOnAShardFeed_AfterAnIdOfAnotherShard_ReplaysWhatFollows_ThenLive_NothingLostOrRepeated()
    {
        var (a, b) = MercureShardsTests.TwoOrigins();
        // A connection that keeps shard a's feed (and its ring of recent updates) alive throughout.
        await using var keeper = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}"), waitUntilAttached: false);
        var a1 = await PublishAsync([a + "/1"], "a-1");
        var b1 = await PublishAsync([b + "/1"], "b-1");
        await PublishAsync([a + "/2", b + "/2"], "both-2");
        await PublishAsync([b + "/3"], "b-3");
        Assert.Equal(["a-1", "both-2"], (await keeper.NextAsync(2)).Select(e => e.Data));

        // An id the shard's feed never held (b-1 is on the other shard): found in the log, hub-wide.
        await using (var afterB1 = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}"), lastEventId: b1, waitUntilAttached: false))
        {
            Assert.Equal(b1, afterB1.Response.Headers.GetValues("Last-Event-ID").Single());
            Assert.Equal("both-2", (await afterB1.NextAsync()).Data);
            await PublishAsync([b + "/4"], "b-4");
            await PublishAsync([a + "/5"], "a-5");
            Assert.Equal("a-5", (await afterB1.NextAsync()).Data);
        }

        // An id the shard's feed holds (a-1, in its ring); the whole log's feed resumes the same id too.
        await using var afterA1 = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}"), lastEventId: a1, waitUntilAttached: false);
        await using var allAfterA1 = await SseStream.OpenAsync(Client, Subscribe(a + "/{id}", b + "/{id}"), lastEventId: a1, waitUntilAttached: false);
        await PublishAsync([a + "/6", b + "/6"], "sentinel");
        Assert.Equal(["both-2", "a-5", "sentinel"], (await afterA1.NextAsync(3)).Select(e => e.Data));
        Assert.Equal(["b-1", "both-2", "b-3", "b-4", "a-5", "sentinel"], (await allAfterA1.NextAsync(6)).Select(e => e.Data));
    }

    /// <summary>The node's Mercure feeds from its status: connections per shard channel ("" for the whole log).</summary>
    internal static async Task<Dictionary<string, int>> MercureFeedsAsync(HttpClient client)
    {
        using var status = JsonDocument.Parse(await client.GetStringAsync("status/data"));
        return status.RootElement.GetProperty("internalFeeds").EnumerateArray()
            .Where(f => f.GetProperty("topic").GetString() == "~mercure")
            .ToDictionary(f => f.GetProperty("channel").GetString() ?? "", f => f.GetProperty("connections").GetInt32());
    }

    private async Task<string> PublishAsync(string[] topics, string data)
    {
        using var request = Publish([.. topics.Select(t => new KeyValuePair<string, string>("topic", t)), new("data", data)], PublishToken);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
