using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Tests.Mercure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>The Mercure endpoint on a scaled cluster: two silos and two API nodes of real processes on Redis.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MercureClusterTests(RedisServer redis)
{
    [Fact]
    public async Task TemplateSubscriberOnNodeB_GetsUpdatesPublishedOnNodeA_AndResumesOnNodeA_WithNothingLostOrRepeated()
    {
        await using var cluster = await HubCluster.StartAsync(redis);
        var publisher = MercureTestTokens.Create(publish: ["*"], key: HubCluster.SigningKey);
        var prefix = $"https://example.com/{Guid.NewGuid():N}";
        var selector = MercureTestTokens.Subscribe(prefix + "/books/{id}");
        var nodeA = cluster.Api(0).Client;
        var nodeB = cluster.Api(1).Client;

        string lastSeen;
        await using (var onB = await SseStream.OpenAsync(nodeB, selector, waitUntilAttached: false))
        {
            for (var i = 1; i <= 10; i++)
                await PublishAsync(nodeA, publisher, $"{prefix}/books/{i}", $"u{i}");
            await PublishAsync(nodeA, publisher, $"{prefix}/authors/1", "not a book");
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"u{i}"), (await onB.NextAsync(10, TimeSpan.FromSeconds(30))).Select(e => e.Data));
            lastSeen = onB.LastEventId!;
        }

        // While the subscriber is away, more updates; it comes back to the other node with its last id.
        for (var i = 11; i <= 20; i++)
            await PublishAsync(nodeB, publisher, $"{prefix}/books/{i}", $"u{i}");
        await using var onA = await SseStream.OpenAsync(nodeA, selector, lastEventId: lastSeen, waitUntilAttached: false);
        Assert.Equal(lastSeen, onA.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal(Enumerable.Range(11, 10).Select(i => $"u{i}"), (await onA.NextAsync(10, TimeSpan.FromSeconds(30))).Select(e => e.Data));
        await PublishAsync(nodeB, publisher, $"{prefix}/books/21", "u21");
        Assert.Equal("u21", (await onA.NextAsync(TimeSpan.FromSeconds(30))).Data);
    }

    [Fact]
    public async Task ANodeWhoseSubscribersNameOneOrigin_ReceivesOnlyThatShardsUpdates_WhileAStarSubscriberGetsEverything()
    {
        const string AdminPassword = "cluster-test-admin-password";
        await using var cluster = await HubCluster.StartAsync(redis, settings: new Dictionary<string, string> { ["Hub__Admin__Password"] = AdminPassword });
        var publisher = MercureTestTokens.Create(publish: ["*"], key: HubCluster.SigningKey);
        var (a, b) = MercureShardsTests.TwoOrigins();
        var nodeA = cluster.Api(0).Client;
        var nodeB = cluster.Api(1).Client;

        await using var everything = await SseStream.OpenAsync(nodeA, MercureTestTokens.Subscribe("*"), waitUntilAttached: false);
        await using var oneOrigin = await SseStream.OpenAsync(nodeB, MercureTestTokens.Subscribe(a + "/books/{id}", a + "/users/1"), waitUntilAttached: false);
        // Origin b's updates first: on the whole log's stream they would reach node B before origin a's.
        for (var i = 1; i <= 10; i++)
            await PublishAsync(nodeA, publisher, $"{b}/books/{i}", $"b{i}");
        for (var i = 1; i <= 10; i++)
            await PublishAsync(nodeA, publisher, $"{a}/books/{i}", $"a{i}");

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"a{i}"), (await oneOrigin.NextAsync(10, TimeSpan.FromSeconds(30))).Select(e => e.Data));
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"b{i}"), .. Enumerable.Range(1, 10).Select(i => $"a{i}")],
            (await everything.NextAsync(20, TimeSpan.FromSeconds(30))).Select(e => e.Data));

        using var statusB = await StatusAsync(nodeB, AdminPassword);
        var feedB = Assert.Single(statusB.RootElement.GetProperty("internalFeeds").EnumerateArray());
        Assert.Equal($"mercure-16:{MercureShardsTests.Shards().ShardOf(a)}", feedB.GetProperty("channel").GetString());
        Assert.Equal(10, statusB.RootElement.GetProperty("streamEventsReceived").GetInt64());
        using var statusA = await StatusAsync(nodeA, AdminPassword);
        var feedA = Assert.Single(statusA.RootElement.GetProperty("internalFeeds").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, feedA.GetProperty("channel").ValueKind);
        Assert.Equal(20, feedA.GetProperty("streamEventsReceived").GetInt64());
    }

    private static async Task<JsonDocument> StatusAsync(HttpClient node, string adminPassword)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "status/data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + adminPassword)));
        using var response = await node.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SubscriptionList_OnNodeA_HasSubscribersOnBAndC_AnnouncesCLeaving_AndForgetsBWhenItDies()
    {
        await using var cluster = await HubCluster.StartAsync(redis, apis: 3, settings: new Dictionary<string, string> { ["Hub__Mercure__SubscriptionsApi"] = "true" });
        var reader = MercureTestTokens.Create(subscribe: [MercureSubscriptionsFixture.AllSubscriptions], key: HubCluster.SigningKey);
        var topic = $"https://example.com/{Guid.NewGuid():N}/books/{{id}}";
        var nodeA = cluster.Api(0).Client;
        using var listenerClient = MercureTestTokens.NewClient(cluster.Api(0).Address, header: reader);
        await using var listener = await SseStream.OpenAsync(listenerClient, MercureTestTokens.Subscribe(MercureSubscriptionsFixture.EventTopics), waitUntilAttached: false);

        // Listed before its headers go out, so no waiting: its node registered and listed it first.
        var onB = await SseStream.OpenAsync(cluster.Api(1).Client, MercureTestTokens.Subscribe(topic), waitUntilAttached: false);
        var fromB = Assert.Single(await ListAsync(nodeA, reader, topic)).GetProperty("subscriber").GetString();
        await using var onC = await SseStream.OpenAsync(cluster.Api(2).Client, MercureTestTokens.Subscribe(topic), waitUntilAttached: false);
        var listed = (await ListAsync(nodeA, reader, topic)).Select(s => s.GetProperty("subscriber").GetString()).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Equal(listed.Order(StringComparer.Ordinal), (await ListAsync(cluster.Api(1).Client, reader, topic)).Select(s => s.GetProperty("subscriber").GetString()).Order(StringComparer.Ordinal));
        var fromC = Assert.Single(listed, s => s != fromB);
        // Both were announced, through node A's feed of the update log.
        Assert.Equivalent(new[] { fromB, fromC }, new[] { (await NextAboutAsync(listener, topic)).Subscriber, (await NextAboutAsync(listener, topic)).Subscriber });

        // Node C stops gracefully: its drain closes the connection, which is announced inactive and unlisted.
        await cluster.StopApiAsync(2);
        var left = await NextAboutAsync(listener, topic);
        Assert.Equal((fromC, false), (left.Subscriber, left.Active));
        Assert.Equal(fromB, Assert.Single(await ListAsync(nodeA, reader, topic)).GetProperty("subscriber").GetString());

        // Node B dies unannounced: its subscription leaves the list on A (a listing finds B gone, or its lease ends).
        await cluster.KillApiAsync(1);
        await onB.DisposeAsync();
        await Eventually.TrueAsync(async () => (await ListAsync(nodeA, reader, topic)).Count == 0, "node B's subscription has left the list", TimeSpan.FromSeconds(40));
    }

    /// <summary>The next subscription event about <paramref name="topic"/>: its subscriber and whether it is active.</summary>
    private static async Task<(string? Subscriber, bool Active)> NextAboutAsync(SseStream listener, string topic)
    {
        while (true)
        {
            using var data = System.Text.Json.JsonDocument.Parse((await listener.NextAsync(TimeSpan.FromSeconds(30))).Data);
            if (data.RootElement.GetProperty("topic").GetString() == topic)
                return (data.RootElement.GetProperty("subscriber").GetString(), data.RootElement.GetProperty("active").GetBoolean());
        }
    }

    private static async Task<List<System.Text.Json.JsonElement>> ListAsync(HttpClient node, string token, string topic)
    {
        using var response = await MercureSubscriptionsFixture.GetAsync(node, MercureSubscriptionsFixture.PathOf(topic), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return MercureSubscriptionsFixture.Of(list, topic);
    }

    private static async Task PublishAsync(HttpClient node, string token, string topic, string data)
    {
        using var request = MercureTestTokens.Publish([new("topic", topic), new("data", data)], token);
        using var response = await node.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
