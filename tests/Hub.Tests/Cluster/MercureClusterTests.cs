using System.Net;
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

    private static async Task PublishAsync(HttpClient node, string token, string topic, string data)
    {
        using var request = MercureTestTokens.Publish([new("topic", topic), new("data", data)], token);
        using var response = await node.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
