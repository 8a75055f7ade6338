using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
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
}
