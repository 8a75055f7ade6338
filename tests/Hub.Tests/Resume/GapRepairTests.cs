using System.Net;
using System.Text;
using System.Text.Json;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Hub.Tests.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Xunit;

namespace Hub.Tests.Resume;

public class GapRepairTests
{
    [Fact]
    public async Task LiveGap_IsRepairedFromTheLog_BeforeTheNextEventIsDelivered()
    {
        // The head check is off (10 minutes) so only gap repair can recover the withheld event.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Subscriptions:HeadCheckInterval"] = "00:10:00" });
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        await server.Client.PublishAsync(topic, "1");
        Assert.Equal("1", (await sse.NextAsync()).Data);

        // Withhold event 2 from the stream: write it to the log behind the grain's back, as a writer
        // whose stream message was lost would. The grain's next append then finds the log moved (refused,
        // nothing stored), rereads its head and appends again: event 3, and it travels the stream.
        var log = server.Services.GetRequiredService<IEventLog>();
        var info = await log.GetInfoAsync(topic);
        await log.AppendAsync(topic, info.Epoch, info.Head, [new EventDraft("status", "2")], DateTimeOffset.UtcNow);
        var third = await server.Client.PublishAsync(topic, "3");
        Assert.Equal(3, third.Sequence);

        Assert.Equal(["2", "3"], (await sse.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task LostSubscription_IsNoticedByTheWatchdog_AndTheEventStillArrives()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Subscriptions:HeadCheckInterval"] = "00:00:00.500" });
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        await server.Client.PublishAsync(topic, "1");
        Assert.Equal("1", (await sse.NextAsync()).Data);

        // Remove the node's stream subscription behind its back, as the cluster does to a client that
        // briefly lost its gateway.
        var cluster = server.Services.GetRequiredService<IClusterClient>();
        var stream = cluster.GetStreamProvider(HubStreams.Provider).GetStream<EventBatch>(HubStreams.ForTopic(topic));
        foreach (var handle in await stream.GetAllSubscriptionHandles())
            await handle.UnsubscribeAsync();
        Assert.Empty(await stream.GetAllSubscriptionHandles());

        await server.Client.PublishAsync(topic, "2");
        await server.Client.PublishAsync(topic, "3");
        Assert.Equal(["2", "3"], (await sse.NextAsync(2)).Select(e => e.Data));

        // And the node subscribed again, so later events travel live.
        Assert.NotEmpty(await stream.GetAllSubscriptionHandles());
        var feeds = server.Services.GetRequiredService<TopicFeeds>();
        Assert.Equal(3, feeds.Snapshot().Single(f => f.Topic == topic).LastSequence);
    }

    [Fact]
    public async Task StreamBacklogDropped_WhileTheStreamHung_IsRepairedFromTheLog_EveryEventOnceInOrder()
    {
        // docs/design.md: a topic grain keeps at most 10,000 events waiting for a stream that hangs and drops the
        // oldest beyond that (never from the log); nodes repair the gap. The head check is off (10 minutes), so only
        // the live gap repair can bring the dropped events; the log and the node's ring hold them all, so the
        // subscriber is neither reset nor cut off for being slow.
        const int Batches = 12;
        const int BatchSize = 1_000;
        var held = new HeldStream();
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Subscriptions:HeadCheckInterval"] = "00:10:00",
            ["Hub:Retention:MaxEventsPerTopic"] = "30000",
            ["Hub:Subscriptions:RecentEventsPerTopic"] = "15000",
            ["Hub:Limits:PublishRequestsPerSecond"] = "0",
        }, services: held.Register);
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        await server.Client.PublishAsync(topic, "1");
        Assert.Equal("1", (await sse.NextAsync()).Data);

        // The stream hangs on event 2, as a stream call to a dead silo does; publishing goes on meanwhile.
        held.Hold(topic);
        await server.Client.PublishAsync(topic, "2");
        await held.Caught.WaitAsync(SseStream.DefaultTimeout);
        var expected = new List<string> { "2" }; // what the subscriber gets from here on
        for (var b = 0; b < Batches; b++)
        {
            var batch = Enumerable.Range(0, BatchSize).Select(i => $"b{b}-{i}").ToList();
            using var body = new StringContent(JsonSerializer.Serialize(batch.Select(d => new { type = "status", data = d })), Encoding.UTF8, "application/json");
            using var response = await server.Client.PostAsync($"topics/{topic}/events", body);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            expected.AddRange(batch);
        }
        held.Release();

        var received = new List<string>(expected.Count);
        try
        {
            while (received.Count < expected.Count)
                received.Add((await sse.NextAsync()).Data);
        }
        catch (TimeoutException)
        {
            var feed = server.Services.GetRequiredService<TopicFeeds>().Snapshot().Single(f => f.Topic == topic);
            var sent = held.Sent;
            Assert.Fail($"received {received.Count} of {expected.Count}, the last \"{received[^1]}\"; the feed is at {feed.LastSequence}; " +
                $"the stream carried {sent.Count} events: {string.Join(", ", sent.Take(3))} … {string.Join(", ", sent.TakeLast(3))}");
        }
        Assert.Equal(expected, received);
        // Nothing repeated after them either: the next event is the next one published.
        await server.Client.PublishAsync(topic, "end");
        Assert.Equal("end", (await sse.NextAsync()).Data);

        // The stream really dropped events (the grain's backlog limit), the newest still travelled it, and the
        // subscriber got the dropped ones all the same: from the log, by gap repair.
        var neverStreamed = Enumerable.Range(3, Batches * BatchSize).Select(s => (long)s).Except(held.Sent).ToList();
        Assert.True(neverStreamed.Count >= BatchSize, $"the stream carried all but {neverStreamed.Count} events: nothing was dropped");
        Assert.Contains(2L + Batches * BatchSize, held.Sent);
        Assert.Equal(3L, neverStreamed[0]);
    }
}
