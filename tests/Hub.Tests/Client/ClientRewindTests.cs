using System.Net.Http.Json;
using Hub.Client.Subscribing;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Client;

/// <summary><see cref="SubscribeFrom.Last"/> and <see cref="SubscribeFrom.State"/>: rewound subscriptions through <see cref="Hub.Client.HubClient"/>.</summary>
[Collection(HubServerCollection.Name)]
public class ClientRewindTests(HubServerFixture fixture)
{
    [Fact]
    public async Task SubscribeFromState_GetsTheLatestPerKey_ThenLiveEvents_EachWithItsTopic()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var (board, other) = (HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b"));
        await PublishKeyedAsync(board, "db", "db up");
        await PublishKeyedAsync(board, "api", "api up");
        await PublishKeyedAsync(board, "db", "db down");
        await client.PublishAsync(other, "note", "b1");

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync([board, other], SubscribeFrom.State));
        await events.WaitForAsync(2);
        await client.PublishAsync(other, "note", "b2");
        await events.WaitForAsync(3);

        Assert.Equal([(board, 2L, "api up"), (board, 3L, "db down"), (other, 2L, "b2")],
            events.Received.Select(e => (e.Topic!, e.Sequence!.Value, e.Data)));
    }

    [Fact]
    public async Task SubscribeFromState_PastUnkeyedEvents_LeavesAnAmbiguousLiveEventsTopicUnknown_NeverWrong()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var (board, other) = (HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b"));
        await PublishKeyedAsync(board, "db", "db up");
        await client.PublishAsync(board, "note", "unkeyed after the state"); // the state jumps over it, in an id-only block
        await client.PublishAsync(other, "note", "b1");

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync([board, other], SubscribeFrom.State));
        await events.WaitForAsync(1);
        await client.PublishAsync(other, "note", "b2");
        await client.PublishAsync(other, "note", "b3");
        await events.WaitForAsync(3);

        // b2's id moves both topics (board's jump past its unkeyed event, b's event): not attributed to board.
        Assert.Equal([(board, 1L, "db up"), (null, null, "b2"), (other, 3L, "b3")],
            events.Received.Select(e => (e.Topic, e.Sequence, e.Data)));
    }

    [Fact]
    public async Task SubscribeFromTheLastEvent_ThenLive()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("last");
        for (var i = 1; i <= 3; i++)
            await client.PublishAsync(topic, "n", $"{i}");

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(topic, SubscribeFrom.Last(1)));
        await events.WaitForAsync(1);
        await client.PublishAsync(topic, "n", "4");
        await events.WaitForAsync(2);
        Assert.Equal([(3L, "3"), (4L, "4")], events.Received.Select(e => (e.Sequence!.Value, e.Data)));
    }

    private async Task PublishKeyedAsync(string topic, string key, string data)
    {
        using var response = await fixture.Server.Client.PostAsJsonAsync($"topics/{topic}/events", new { type = "status", key, data });
        response.EnsureSuccessStatusCode();
    }
}
