using Hub.Client.Subscribing;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Client;

/// <summary><c>hub.reset</c> reaches the client's caller as a <see cref="HubResetEvent"/>, in the stream and in history.</summary>
public class ClientResetTests
{
    [Fact]
    public async Task ResumeBeforeTheRetainedHistory_SurfacesAResetEvent_ThenTheOldestEvents()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:MaxEventsPerTopic"] = "5" });
        var (client, _, http) = ClientTestKit.Connect(server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        var first = await client.PublishAsync(topic, "n", "1");
        for (var i = 2; i <= 12; i++)
            await client.PublishAsync(topic, "n", $"{i}");

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(topic, SubscribeFrom.After(first.Id)));
        await events.WaitForAsync(6);

        var reset = Assert.IsType<HubResetEvent>(events.Received[0]);
        Assert.Equal((topic, "retention", 8L), (reset.Topic, reset.Reason, reset.ResumedFrom));
        Assert.Equal(["8", "9", "10", "11", "12"], events.Received.Skip(1).Select(e => e.Data));
        Assert.All(events.Received.Skip(1), e => Assert.IsNotType<HubResetEvent>(e));

        var page = await client.GetEventsAsync(topic, after: 1);
        Assert.Equal(8, page.Reset?.ResumedFrom);
        Assert.Equal(8, page.Events[0].Sequence);
    }
}
