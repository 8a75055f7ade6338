using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Rewind;

/// <summary>A rewind never reaches past retention, and so never needs a reset.</summary>
public class RewindRetentionTests
{
    [Fact]
    public async Task RewindCount_PastRetention_ReplaysTheRetainedEventsWithoutAReset()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "5" });
        var topic = HubServerFixture.NewTopic();
        for (var i = 1; i <= 12; i++)
            await server.Client.PublishAsync(topic, $"{i}");

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events?rewind=10");
        var replayed = await sse.NextAsync(5);
        Assert.Equal(["8", "9", "10", "11", "12"], replayed.Select(e => e.Data));
        Assert.DoesNotContain(replayed, e => e.EventType == "hub.reset");
    }

    [Fact]
    public async Task RewindCount_WhileTheNodeHoldsTheTopic_ReplaysFromItsRecentEvents_ThenLive()
    {
        await using var server = await HubServer.StartAsync();
        var topic = HubServerFixture.NewTopic();
        // A live subscriber keeps the topic's feed (and its ring of recent events) on the node.
        await using var watcher = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        for (var i = 1; i <= 4; i++)
            await server.Client.PublishAsync(topic, $"{i}");
        Assert.Equal(["1", "2", "3", "4"], (await watcher.NextAsync(4)).Select(e => e.Data));

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events?rewind=3");
        var replayed = await sse.NextAsync(3);
        Assert.Equal(["2", "3", "4"], replayed.Select(e => e.Data));
        await server.Client.PublishAsync(topic, "5");
        Assert.Equal("5", (await sse.NextAsync()).Data);
    }
}
