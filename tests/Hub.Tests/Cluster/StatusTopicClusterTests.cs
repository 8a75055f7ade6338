using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>Status topics on a Redis cluster: the state lives in Redis, so any API node serves it, after retention and after the hosting silo died.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StatusTopicClusterTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("status-topic-test");

    [Fact]
    public async Task StatePublishedOnOneNode_IsServedByAnother_PastRetention_AndAfterTheHostingSiloDied()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 2, apis: 2,
            siloSettings: new Dictionary<string, string> { ["Hub__Retention__MaxEventsPerTopic"] = "5" });
        var topic = $"board-{Guid.NewGuid():N}";
        var first = await PublishAsync(cluster, topic, "db up", "db");                  // 1
        await PublishAsync(cluster, topic, "api up", "api");                             // 2
        await PublishAsync(cluster, topic, "db down", "db");                             // 3
        for (var i = 4; i <= 10; i++)
            await PublishAsync(cluster, topic, $"note {i}", null);                      // 4..10, retained 6..10

        var other = new Uri(cluster.Api(1).Address, $"topics/{topic}/events").ToString();
        await using (var sse = await SseStream.OpenAsync(cluster.Http, other + "?rewind=state"))
        {
            Assert.Equal(["api up", "db down"], (await sse.NextAsync(2, Timeout)).Select(e => e.Data));
            await PublishAsync(cluster, topic, "api down", "api");                       // 11, published through node 0
            Assert.Equal("api down", (await sse.NextAsync(Timeout)).Data);
        }

        // Back after retention, on the other node: the reset, then the state per key.
        var firstId = JsonDocument.Parse(first).RootElement.GetProperty("id").GetString();
        await using (var back = await SseStream.OpenAsync(cluster.Http, other, lastEventId: firstId))
        {
            var reset = await back.NextAsync(Timeout);
            Assert.Equal("hub.reset", reset.EventType);
            using (var data = JsonDocument.Parse(reset.Data))
            {
                Assert.Equal("retention", data.RootElement.GetProperty("reason").GetString());
                Assert.Equal(2, data.RootElement.GetProperty("state").GetInt32());
                Assert.Equal(12, data.RootElement.GetProperty("resumedFrom").GetInt64());
            }
            Assert.Equal(["db down", "api down"], (await back.NextAsync(2, Timeout)).Select(e => e.Data));
        }

        // The grain that wrote the state dies with its silo: the next activation reads it from Redis.
        await cluster.KillSiloAsync(await cluster.SiloHostingAsync(topic));
        await PublishAsync(cluster, topic, "web up", "web");
        var state = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Api(1).Address, $"topics/{topic}/state"));
        Assert.Equal(["db", "api", "web"], state.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(["db down", "api down", "web up"], state.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetString()));
    }

    private static async Task<string> PublishAsync(HubCluster cluster, string topic, string data, string? key)
    {
        var (body, response) = await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, data, Token, null, Timeout, key);
        response.Dispose();
        return body;
    }
}
