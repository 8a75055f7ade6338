using System.Net;
using Hub.Api.Mercure;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>
/// A shard's feed misses nothing though its stream carries only its shard's updates: a gap on the
/// stream (told by each batch's previous event) and a lost subscription (the watchdog's channel head
/// check) are both repaired from the whole log, keeping only the shard's updates.
/// </summary>
public class MercureShardRepairTests
{
    [Fact]
    public async Task AGapOnAShardsStream_IsRepairedFromTheLog_WithOnlyThatShardsUpdates()
    {
        // The head check is off (10 minutes) so only the stream's own gap detection can recover the withheld update.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Subscriptions:HeadCheckInterval"] = "00:10:00", ["Hub:Auth:SigningKey"] = Security.Tokens.Key });
        var (a, b) = MercureShardsTests.TwoOrigins();
        await using var onA = await SseStream.OpenAsync(server.Client, Subscribe(a + "/{id}"), waitUntilAttached: false);
        Assert.Single((await MercureShardingTests.MercureFeedsAsync(server.Client)).Keys, k => k.Length > 0);
        await PublishAsync(server.Client, a + "/1", "a-1");
        Assert.Equal("a-1", (await onA.NextAsync()).Data);

        // Withhold two updates from the streams: written to the log behind the grain's back, as a writer
        // whose stream messages were lost would. The grain's next append finds the log moved (refused,
        // nothing stored), rereads its head and appends again; that publish travels the stream, saying
        // where shard a may have been before it.
        var log = server.Services.GetRequiredService<IEventLog>();
        var info = await log.GetInfoAsync(MercureLog.Topic);
        await log.AppendAsync(MercureLog.Topic, info.Epoch, info.Head, [Stored(a + "/2", "a-2"), Stored(b + "/1", "b-1")], DateTimeOffset.UtcNow);
        await PublishAsync(server.Client, a + "/3", "a-3");

        Assert.Equal(["a-2", "a-3"], (await onA.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task ALostShardSubscription_IsNoticedByTheWatchdog_AndTheShardsUpdatesStillArrive()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Subscriptions:HeadCheckInterval"] = "00:00:00.500", ["Hub:Auth:SigningKey"] = Security.Tokens.Key });
        var (a, b) = MercureShardsTests.TwoOrigins();
        await using var onA = await SseStream.OpenAsync(server.Client, Subscribe(a + "/{id}"), waitUntilAttached: false);
        await PublishAsync(server.Client, a + "/1", "a-1");
        Assert.Equal("a-1", (await onA.NextAsync()).Data);

        // Remove the node's subscription to shard a's stream behind its back, as the cluster does to a
        // client that briefly lost its gateway.
        var channel = Assert.Single((await MercureShardingTests.MercureFeedsAsync(server.Client)).Keys, k => k.Length > 0);
        var cluster = server.Services.GetRequiredService<IClusterClient>();
        var stream = cluster.GetStreamProvider(HubStreams.Provider).GetStream<EventBatch>(HubStreams.ForChannel(MercureLog.Topic, channel));
        foreach (var handle in await stream.GetAllSubscriptionHandles())
            await handle.UnsubscribeAsync();
        Assert.Empty(await stream.GetAllSubscriptionHandles());

        await PublishAsync(server.Client, a + "/2", "a-2");
        await PublishAsync(server.Client, b + "/1", "b-1");
        await PublishAsync(server.Client, a + "/3", "a-3");
        Assert.Equal(["a-2", "a-3"], (await onA.NextAsync(2)).Select(e => e.Data));
        Assert.NotEmpty(await stream.GetAllSubscriptionHandles());
        await PublishAsync(server.Client, a + "/4", "a-4");
        Assert.Equal("a-4", (await onA.NextAsync()).Data);
    }

    [Fact]
    public async Task AConnectionThatReplayedPastItsShardsFeed_StillGetsWhatTheFeedRepairsBeyondIt()
    {
        // The head check is off: the test runs it itself, at the moment it needs.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Subscriptions:HeadCheckInterval"] = "00:10:00", ["Hub:Auth:SigningKey"] = Security.Tokens.Key });
        var (a, b) = MercureShardsTests.TwoOrigins();
        await using var keeper = await SseStream.OpenAsync(server.Client, Subscribe(a + "/{id}"), waitUntilAttached: false);
        var a0 = await PublishAsync(server.Client, a + "/0", "a-0");
        Assert.Equal("a-0", (await keeper.NextAsync()).Data);

        // The shard's feed stops hearing its stream; the log moves on without it.
        var feed = server.Services.GetRequiredService<TopicFeeds>().Snapshot().Single(f => f.Channel is not null);
        var stream = server.Services.GetRequiredService<IClusterClient>().GetStreamProvider(HubStreams.Provider)
            .GetStream<EventBatch>(HubStreams.ForChannel(MercureLog.Topic, feed.Channel!.Name));
        foreach (var handle in await stream.GetAllSubscriptionHandles())
            await handle.UnsubscribeAsync();
        await PublishAsync(server.Client, a + "/1", "a-1");
        await PublishAsync(server.Client, b + "/1", "b-1");
        await PublishAsync(server.Client, a + "/2", "a-2");

        // A resuming connection replays the log past where the feed stands, then goes live on the feed.
        await using var resumed = await SseStream.OpenAsync(server.Client, Subscribe(a + "/{id}"), lastEventId: a0, waitUntilAttached: false);
        Assert.Equal(["a-1", "a-2"], (await resumed.NextAsync(2)).Select(e => e.Data));
        await PublishAsync(server.Client, a + "/3", "a-3");

        // The feed repairs a-1..a-3 in one delivery: the connection skips the two it has and writes a-3.
        await feed.CatchUpWithHeadAsync(CancellationToken.None);
        Assert.Equal("a-3", (await resumed.NextAsync()).Data);
        Assert.Equal(["a-1", "a-2", "a-3"], (await keeper.NextAsync(3)).Select(e => e.Data));
    }

    private static EventDraft Stored(string topic, string data) =>
        new(MercureLog.EventType, new MercureUpdate($"urn:uuid:{Guid.NewGuid()}", [topic], isPrivate: false, type: null, retry: null, data).Encode());

    private static async Task<string> PublishAsync(HttpClient client, string topic, string data)
    {
        using var response = await client.SendAsync(Publish(topic, data));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
