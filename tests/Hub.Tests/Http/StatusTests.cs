using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

[Collection(HubServerCollection.Name)]
public class StatusTests(HubServerFixture fixture)
{
    [Fact]
    public async Task StatusData_ShowsTheNodesLiveFigures()
    {
        var client = fixture.Server.Client;
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(client, $"topics/{topic}/events");
        await client.PublishAsync(topic, "x");
        await sse.NextAsync();
        using var status = JsonDocument.Parse(await client.GetStringAsync("status/data"));
        var root = status.RootElement;
        Assert.True(root.GetProperty("connections").GetInt32() >= 1);
        Assert.True(root.GetProperty("topics").GetInt32() >= 1);
        Assert.True(root.GetProperty("eventsPublished").GetInt64() >= 1);
        Assert.Equal("embedded", root.GetProperty("role").GetString());
        Assert.False(root.GetProperty("draining").GetBoolean());

        Assert.Contains("/status.js", await client.GetStringAsync("status.html"), StringComparison.Ordinal);
        Assert.Contains("/status/data", await client.GetStringAsync("status.js"), StringComparison.Ordinal);
    }
}
