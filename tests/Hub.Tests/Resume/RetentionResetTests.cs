using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Resume;

public class RetentionResetTests
{
    [Fact]
    public async Task Resume_AfterRetentionEdge_SendsResetThenOldest()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "5" });
        var topic = HubServerFixture.NewTopic();
        var first = await server.Client.PublishAsync(topic, "1");
        for (var i = 2; i <= 12; i++)
            await server.Client.PublishAsync(topic, $"{i}");

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: first.Id);
        var reset = await sse.NextAsync();
        Assert.Equal("hub.reset", reset.EventType);
        using (var data = JsonDocument.Parse(reset.Data))
        {
            Assert.Equal("retention", data.RootElement.GetProperty("reason").GetString());
            Assert.Equal(8, data.RootElement.GetProperty("resumedFrom").GetInt64());
        }
        Assert.Equal(["8", "9", "10", "11", "12"], (await sse.NextAsync(5)).Select(e => e.Data));

        // The reset's id moved the cursor: resuming from it does not reset again.
        var cursorAfterReset = reset.EventId!;
        await using var again = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: cursorAfterReset);
        Assert.Equal("8", (await again.NextAsync()).Data);
    }

    [Fact]
    public async Task History_BeforeRetention_SaysReset()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "3" });
        var topic = HubServerFixture.NewTopic();
        for (var i = 1; i <= 6; i++)
            await server.Client.PublishAsync(topic, $"{i}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events?after=1");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await server.Client.SendAsync(request);
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(4, page.RootElement.GetProperty("reset").GetProperty("resumedFrom").GetInt64());
        Assert.Equal([4L, 5L, 6L], page.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
    }
}
