using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureSubscriptionsFixture;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Subscription events: a private update per selector when a Mercure subscription opens and when it closes.</summary>
[Collection(MercureSubscriptionsCollection.Name)]
public sealed class MercureSubscriptionEventsTests(MercureSubscriptionsFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task Subscriber_IsAnnouncedActive_WhenItConnects_AndInactive_WhenItLeaves()
    {
        var topic = MercureHubFixture.NewTopic();
        using var listenerClient = NewClient(hub.Server.Address, header: Create(subscribe: [EventTopics]));
        await using var listener = await SseStream.OpenAsync(listenerClient, Subscribe(EventTopics), waitUntilAttached: false);

        using var subscriberClient = NewClient(hub.Server.Address, header: Create(subscribe: [topic], payload: new Dictionary<string, object> { ["user"] = "bob" }));
        var subscriber = await SseStream.OpenAsync(subscriberClient, Subscribe(topic), waitUntilAttached: false);
        var (opened, openedId) = await NextAboutAsync(listener, topic);
        Assert.True(opened.GetProperty("active").GetBoolean());
        Assert.Equal("https://mercure.rocks/", opened.GetProperty("@context").GetString());
        Assert.Equal("Subscription", opened.GetProperty("type").GetString());
        Assert.Equal("bob", opened.GetProperty("payload").GetProperty("user").GetString());
        var id = opened.GetProperty("subscriber").GetString()!;
        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.Equal("/" + PathOf(topic, id), opened.GetProperty("id").GetString());
        Assert.StartsWith("urn:uuid:", openedId, StringComparison.Ordinal);

        await subscriber.DisposeAsync();
        var (closed, _) = await NextAboutAsync(listener, topic);
        Assert.False(closed.GetProperty("active").GetBoolean());
        Assert.Equal(id, closed.GetProperty("subscriber").GetString());
    }

    [Fact]
    public async Task Subscriber_WithTwoSelectors_IsAnnouncedOncePerSelector()
    {
        var prefix = MercureHubFixture.NewTopic();
        var selectors = new[] { prefix + "/a", prefix + "/{id}" };
        using var listenerClient = NewClient(hub.Server.Address, header: Create(subscribe: [EventTopics]));
        await using var listener = await SseStream.OpenAsync(listenerClient, Subscribe(EventTopics), waitUntilAttached: false);
        await using var subscriber = await SseStream.OpenAsync(Client, Subscribe(selectors), waitUntilAttached: false);
        var seen = new List<JsonElement>();
        while (seen.Count < 2)
        {
            var data = JsonDocument.Parse((await listener.NextAsync()).Data).RootElement;
            if (data.GetProperty("topic").GetString()!.StartsWith(prefix, StringComparison.Ordinal))
                seen.Add(data);
        }
        Assert.Equal(selectors.Order(StringComparer.Ordinal), seen.Select(s => s.GetProperty("topic").GetString()!).Order(StringComparer.Ordinal));
        Assert.Single(seen.Select(s => s.GetProperty("subscriber").GetString()).Distinct());
    }

    [Fact]
    public async Task Events_ArePrivate_NotReceivedWithoutAGrant()
    {
        var topic = MercureHubFixture.NewTopic();
        var marker = MercureHubFixture.NewTopic("markers");
        using var ungranted = NewClient(hub.Server.Address, header: Create(subscribe: [marker]));
        await using var listener = await SseStream.OpenAsync(ungranted, Subscribe(EventTopics, marker), waitUntilAttached: false);
        await using var subscriber = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        using (var published = await Client.SendAsync(Publish(marker, "after the subscriber")))
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("after the subscriber", (await listener.NextAsync()).Data);
    }

    [Fact]
    public async Task ListingsLastEventId_ThenTheEventsFromIt_MissNoSubscriptionThatOpenedBetween()
    {
        var topic = MercureHubFixture.NewTopic();
        var lastEventId = (await ReadAsync(Client, PathOf(topic))).GetProperty("lastEventID").GetString()!;
        await using var subscriber = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);

        // The listener connects only now, resuming from the listing's lastEventID: the event comes from history.
        using var listenerClient = NewClient(hub.Server.Address, header: Create(subscribe: [EventTopics]));
        await using var listener = await SseStream.OpenAsync(listenerClient, Subscribe(EventTopics), lastEventId: lastEventId, waitUntilAttached: false);
        Assert.Equal(lastEventId, listener.Response.Headers.GetValues("Last-Event-ID").Single());
        var (opened, _) = await NextAboutAsync(listener, topic);
        Assert.True(opened.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task AListenerOnOneSubscriptionsExactTopic_ListensOnAShardFeed_AndGetsItsInactiveEvent()
    {
        // Events published without their shards would reach a shard feed only through its periodic head
        // check; with them, live. (With the head check off this passed every time here but once in a full
        // CI run: a shard feed's first live event after its attach is worth a closer look.)
        var settings = new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Security.Tokens.Key,
            ["Hub:Mercure:SubscriptionsApi"] = "true",
        };
        await using var server = await HubServer.StartAsync(settings);
        var topic = MercureHubFixture.NewTopic();
        var subscriber = await SseStream.OpenAsync(server.Client, Subscribe(topic), waitUntilAttached: false);
        var id = Assert.Single((await ReadAsync(server.Client, PathOf(topic))).GetProperty("subscriptions").EnumerateArray()).GetProperty("subscriber").GetString()!;
        // An exact selector: the one topic its events are published on, one shard.
        var eventTopic = "/" + PathOf(topic, id);
        using var listenerClient = NewClient(server.Address, header: Create(subscribe: [eventTopic]));
        await using var listener = await SseStream.OpenAsync(listenerClient, Subscribe(eventTopic), waitUntilAttached: false);
        Assert.Contains((await MercureShardingTests.MercureFeedsAsync(server.Client)).Keys, k => k.Length > 0);

        await subscriber.DisposeAsync();
        var closed = JsonDocument.Parse((await listener.NextAsync(TimeSpan.FromSeconds(20))).Data).RootElement;
        Assert.False(closed.GetProperty("active").GetBoolean());
        Assert.Equal(id, closed.GetProperty("subscriber").GetString());
    }

    /// <summary>The next subscription event about <paramref name="topic"/> (other tests' subscribers come and go too), with its update id.</summary>
    private static async Task<(JsonElement Data, string Id)> NextAboutAsync(SseStream listener, string topic)
    {
        while (true)
        {
            SseItem<string> item = await listener.NextAsync();
            var data = JsonDocument.Parse(item.Data).RootElement.Clone();
            if (data.GetProperty("topic").GetString() == topic)
                return (data, listener.LastEventId!);
        }
    }
}

/// <summary>With the subscription API off, nothing is announced.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureSubscriptionEventsOffTests(MercureHubFixture hub)
{
    [Fact]
    public async Task SubscriptionEvents_AreOffByDefault()
    {
        var marker = MercureHubFixture.NewTopic("markers");
        using var listenerClient = NewClient(hub.Server.Address, header: Create(subscribe: ["*"]));
        await using var listener = await SseStream.OpenAsync(listenerClient, Subscribe(EventTopics, marker), waitUntilAttached: false);
        await using var subscriber = await SseStream.OpenAsync(hub.Server.Client, Subscribe(MercureHubFixture.NewTopic()), waitUntilAttached: false);
        using (var published = await hub.Server.Client.SendAsync(Publish(marker, "after the subscriber")))
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("after the subscriber", (await listener.NextAsync()).Data);
    }
}
