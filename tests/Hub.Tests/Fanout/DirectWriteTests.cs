using Hub.Api.Diagnostics;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Xunit;

namespace Hub.Tests.Fanout;

/// <summary>
/// The fan-out writes straight into idle connections and lets a connection with a pending flush catch up
/// from the feed's recent events: these pin its edges (mid-flush, off the ring, many topics, a close
/// during writes, feeds released with their last listener).
/// </summary>
public sealed class DirectWriteTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string Payload = new('x', 60_000);

    private static Task<HubServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Hub:Limits:MaxConnectionsPerClient"] = "0",
            ["Hub:Limits:PublishRequestsPerSecond"] = "0",
        };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        return HubServer.StartAsync(all);
    }

    private static SseConnection ConnectionOf(HubServer server, string topic) =>
        server.Services.GetRequiredService<SseConnections>().All.Single(c => c.Topics.Topics.Contains(topic));

    private static TopicFeed? FeedOf(HubServer server, string topic) =>
        server.Services.GetRequiredService<TopicFeeds>().Snapshot().SingleOrDefault(f => f.Topic == topic);

    private static int Number(string data) => int.Parse(data.AsSpan(0, data.IndexOf(':')), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task EventsArrivingWhileAFlushIsPending_AreCaughtUpFromTheRing_CompleteAndInOrder()
    {
        await using var server = await StartAsync(new()
        {
            ["Hub:Retention:MaxEventsPerTopic"] = "10000",
            ["Hub:Subscriptions:RecentEventsPerTopic"] = "2000",
            ["Hub:Subscriptions:RecentBytesPerTopic"] = "268435456", // nothing falls off the ring here
        });
        var topic = HubServerFixture.NewTopic();
        await using var stalled = await StalledSubscriber.OpenAsync(server.Address, $"topics/{topic}/events");
        var connection = ConnectionOf(server, topic);

        // The client reads nothing, so socket buffers and Kestrel's response buffer fill until a flush stays
        // pending; then events keep reaching the feed, which leaves the connection to catch up later.
        var published = 0;
        var feed = FeedOf(server, topic)!;
        while (!(connection.State == SseConnectionState.Flushing && feed.LastSequence > connection.PositionOf(0).Sequence + 5))
        {
            Assert.True(published < 600, "the connection never had events waiting behind a pending flush");
            await server.Client.PublishAsync(topic, $"{++published}:{Payload}");
        }
        for (var i = 0; i < 5; i++)
            await server.Client.PublishAsync(topic, $"{++published}:{Payload}");
        await Eventually.TrueAsync(() => feed.LastSequence == published, "the feed delivered every event");

        stalled.Resume();
        await stalled.WaitForAsync(published, Timeout);
        Assert.Equal(Enumerable.Range(1, published), stalled.Events.Select(e => Number(e.Data)));
        Assert.Equal(ConnectionCloseReason.None, connection.CloseReason);
        await Eventually.TrueAsync(() => connection.State == SseConnectionState.Idle, "the connection caught up and went idle");

        // And it is live again: the next event is written straight away.
        await server.Client.PublishAsync(topic, $"{++published}:after");
        await stalled.WaitForAsync(published, Timeout);
        Assert.Equal($"{published}:after", stalled.Events[^1].Data);
    }

    [Fact]
    public async Task AClientThatFallsOffTheRing_IsCutOff_AndResumesFromTheLogWithoutAReset()
    {
        // Defaults for the ring (512 events, 4 MiB) and retention (1,000 events): the ring is at most half
        // the retention, so a client cut off for being slow still finds its next event in the log.
        await using var server = await StartAsync();
        var topic = HubServerFixture.NewTopic();
        await using var stalled = await StalledSubscriber.OpenAsync(server.Address, $"topics/{topic}/events");
        var connection = ConnectionOf(server, topic);
        await using var fast = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");

        var published = 0;
        while (connection.CloseReason != ConnectionCloseReason.SlowClient)
        {
            Assert.True(published < 400, "the slow connection was never cut off");
            await server.Client.PublishAsync(topic, $"{++published}:{Payload}");
        }
        var metrics = server.Services.GetRequiredService<HubMetrics>();
        await Eventually.TrueAsync(() => metrics.SlowClientsTotal == 1, "the cut-off is counted");
        // Nobody else waited for it: the fast client has every event.
        Assert.Equal(Enumerable.Range(1, published), (await fast.NextAsync(published)).Select(e => Number(e.Data)));

        // The cut-off client reads what reached it, then resumes from its last id as a browser would.
        stalled.Resume();
        try
        {
            await stalled.Completion.WaitAsync(Timeout);
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            // Aborted by the hub: the read ends with an error once the bytes that got through are read.
        }
        var got = stalled.Events.Select(e => Number(e.Data)).ToList();
        Assert.Equal(Enumerable.Range(1, got.Count), got);
        Assert.True(got.Count < published, "the slow client was cut off, so it cannot have everything");
        await using var resumed = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", stalled.LastEventId);
        var rest = await resumed.NextAsync(published - got.Count);
        Assert.DoesNotContain(rest, e => e.EventType == "hub.reset");
        Assert.Equal(Enumerable.Range(got.Count + 1, published - got.Count), rest.Select(e => Number(e.Data)));
    }

    [Fact]
    public async Task ManyTopicsOnOneConnection_ArriveInOrderPerTopic_AndEveryIdResumesThemAll()
    {
        await using var server = await StartAsync();
        var topics = Enumerable.Range(0, 16).Select(i => HubServerFixture.NewTopic($"m{i:00}")).ToArray();
        var path = "events?" + string.Join('&', topics.Select(t => $"topic={t}"));
        const int perTopic = 10;

        List<System.Net.ServerSentEvents.SseItem<string>> received;
        await using (var sse = await SseStream.OpenAsync(server.Client, path))
        {
            // Topics published concurrently, so feeds write into the connection from several threads at once.
            await Task.WhenAll(topics.Select(async t =>
            {
                for (var i = 1; i <= perTopic; i++)
                    await server.Client.PublishAsync(t, $"{i}:{t}");
            }));
            received = await sse.NextAsync(topics.Length * perTopic);
        }
        foreach (var topic in topics)
            Assert.Equal(Enumerable.Range(1, perTopic), received.Where(e => e.Data.EndsWith(topic, StringComparison.Ordinal)).Select(e => Number(e.Data)));

        // Resuming from an id in the middle replays, per topic, exactly what came after it on that connection.
        var middle = received[received.Count / 2];
        var seenBefore = received.Take((received.Count / 2) + 1).ToList();
        await using var resumed = await SseStream.OpenAsync(server.Client, path, middle.EventId);
        var rest = await resumed.NextAsync(received.Count - seenBefore.Count);
        foreach (var topic in topics)
        {
            var before = seenBefore.Count(e => e.Data.EndsWith(topic, StringComparison.Ordinal));
            Assert.Equal(Enumerable.Range(before + 1, perTopic - before), rest.Where(e => e.Data.EndsWith(topic, StringComparison.Ordinal)).Select(e => Number(e.Data)));
        }
    }

    [Fact]
    public async Task AConnectionClosedWhileEventsAreWritten_IsContained_AndItsFeedAndSubscriptionEndWithTheLast()
    {
        await using var server = await StartAsync(new() { ["Hub:Subscriptions:HeadCheckInterval"] = "00:00:00.100" });
        var topic = HubServerFixture.NewTopic();
        var others = new List<SseStream>();
        for (var i = 0; i < 20; i++)
            others.Add(await SseStream.OpenAsync(server.Client, $"topics/{topic}/events"));
        var victims = new List<SseStream>();
        for (var i = 0; i < 20; i++)
            victims.Add(await SseStream.OpenAsync(server.Client, $"topics/{topic}/events"));

        const int events = 200;
        var publishing = Task.Run(async () =>
        {
            for (var i = 1; i <= events; i++)
                await server.Client.PublishAsync(topic, $"{i}:{Payload[..2000]}");
        });
        // The victims go away while events are being written to them.
        await victims[0].NextAsync();
        foreach (var victim in victims)
            await victim.DisposeAsync();
        await publishing;

        foreach (var sse in others)
            Assert.Equal(Enumerable.Range(1, events), (await sse.NextAsync(events)).Select(e => Number(e.Data)));
        foreach (var sse in others)
            await sse.DisposeAsync();

        var connections = server.Services.GetRequiredService<SseConnections>();
        var feeds = server.Services.GetRequiredService<TopicFeeds>();
        await Eventually.TrueAsync(() => connections.Count == 0 && feeds.Count == 0, "every connection and feed is gone");
        var stream = server.Services.GetRequiredService<IClusterClient>().GetStreamProvider(HubStreams.Provider).GetStream<EventBatch>(HubStreams.ForTopic(topic));
        await Eventually.TrueAsync(async () => (await stream.GetAllSubscriptionHandles()).Count == 0, "the node's stream subscription is gone");
    }

    [Fact]
    public async Task NoFeedOrStreamSubscription_OutlivesItsLastListener_WhileTheWatchdogRuns()
    {
        // The watchdog checks every 100 ms, racing every release: it must never subscribe a released feed again.
        await using var server = await StartAsync(new() { ["Hub:Subscriptions:HeadCheckInterval"] = "00:00:00.100" });
        var topics = Enumerable.Range(0, 4).Select(i => HubServerFixture.NewTopic($"r{i}")).ToArray();
        for (var round = 0; round < 10; round++)
        {
            await using (var one = await SseStream.OpenAsync(server.Client, $"topics/{topics[round % topics.Length]}/events"))
            await using (var many = await SseStream.OpenAsync(server.Client, "events?" + string.Join('&', topics.Select(t => $"topic={t}"))))
            {
                var ack = await server.Client.PublishAsync(topics[round % topics.Length], $"{round}:r");
                Assert.Equal($"{round}:r", (await one.NextAsync()).Data);
                Assert.Equal($"{round}:r", (await many.NextAsync()).Data);
            }
            // A long-poll listens on a feed too, and lets go of it when answered.
            using var poll = new HttpRequestMessage(HttpMethod.Get, $"topics/{topics[0]}/events?after=1000&wait=0");
            poll.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/json"));
            (await server.Client.SendAsync(poll)).Dispose();
        }

        await FeedLeaks.AssertNoneRemainAsync(server, topics);
    }
}
