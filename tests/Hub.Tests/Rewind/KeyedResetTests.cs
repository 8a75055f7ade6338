using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Rewind;

/// <summary>A subscriber back after retention dropped its position: on a keyed topic the reset is followed by the state.</summary>
public class KeyedResetTests
{
    [Fact]
    public async Task Resume_PastRetention_OnAKeyedTopic_SendsResetThenTheStateThenLive()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "5" });
        var topic = HubServerFixture.NewTopic("board");
        var first = await StateTests.PublishKeyedAsync(server.Client, topic, "db", "db up");      // 1
        await StateTests.PublishKeyedAsync(server.Client, topic, "api", "api up");                // 2
        await StateTests.PublishKeyedAsync(server.Client, topic, "web", "web up");                // 3
        await StateTests.PublishKeyedAsync(server.Client, topic, "db", "db down");                // 4
        for (var i = 5; i <= 12; i++)
            await server.Client.PublishAsync(topic, $"note {i}");                                   // 5..12, retained 8..12

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: first.Id);
        var reset = await sse.NextAsync();
        Assert.Equal("hub.reset", reset.EventType);
        using (var data = JsonDocument.Parse(reset.Data))
        {
            Assert.Equal("retention", data.RootElement.GetProperty("reason").GetString());
            Assert.Equal(13, data.RootElement.GetProperty("resumedFrom").GetInt64());
            Assert.Equal(3, data.RootElement.GetProperty("state").GetInt32());
        }
        var state = await sse.NextAsync(3);
        Assert.Equal(["api up", "web up", "db down"], state.Select(e => e.Data));

        await server.Client.PublishAsync(topic, "note 13");
        Assert.Equal("note 13", (await sse.NextAsync()).Data);

        // Its last id resumes exactly, without another reset.
        var cursor = sse.LastEventId!;
        await server.Client.PublishAsync(topic, "note 14");
        await using var again = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: cursor);
        Assert.Equal("note 14", (await again.NextAsync()).Data);
    }

    [Fact]
    public async Task Resume_PastRetention_OnATopicWithoutKeys_IsTheUsualReset()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "3" });
        var topic = HubServerFixture.NewTopic();
        var first = await server.Client.PublishAsync(topic, "1");
        for (var i = 2; i <= 6; i++)
            await server.Client.PublishAsync(topic, $"{i}");
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: first.Id);
        var reset = await sse.NextAsync();
        using (var data = JsonDocument.Parse(reset.Data))
            Assert.False(data.RootElement.TryGetProperty("state", out _));
        Assert.Equal(["4", "5", "6"], (await sse.NextAsync(3)).Select(e => e.Data));
    }

    [Fact]
    public async Task MaxKeys_OverHttp_EvictsTheOldestKey_AndStateOutlivesRetention()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Retention:MaxEventsPerTopic"] = "3",
            ["Hub:Topics:MaxKeys"] = "2",
        });
        var topic = HubServerFixture.NewTopic();
        await StateTests.PublishKeyedAsync(server.Client, topic, "a", "a1");
        await StateTests.PublishKeyedAsync(server.Client, topic, "b", "b1");
        await StateTests.PublishKeyedAsync(server.Client, topic, "c", "c1");
        for (var i = 0; i < 5; i++)
            await server.Client.PublishAsync(topic, $"n{i}");

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events?rewind=state");
        Assert.Equal(["b1", "c1"], (await sse.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task MaxKeys_OutOfRange_RefusesToStart()
    {
        await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Topics:MaxKeys"] = "0" });
        });
    }
}
