using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>A publish retried with its Idempotency-Key after the silo that stored it died: the new activation finds the key in Redis.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdempotentFailoverTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("idempotency-test");

    [Fact]
    public async Task RetryAfterTheHostingSiloDied_ReturnsTheOriginal201_FromAFreshActivation_AndStoresNothing()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 2, apis: 1);
        var topic = $"idem-{Guid.NewGuid():N}";
        var key = $"order-42/{Guid.NewGuid():N}";
        var (original, first) = await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "charged", Token, key, Timeout);
        first.Dispose();

        // The grain that recorded the key is gone with its silo: only Redis still knows it.
        var host = await cluster.SiloHostingAsync(topic);
        await cluster.KillSiloAsync(host);
        var (retried, retry) = await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "charged", Token, key, Timeout);

        using (retry)
        {
            Assert.Equal(original, retried);
            Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        }
        Assert.NotEqual(host, await cluster.SiloHostingAsync(topic));
        var info = await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Api(0).Address, $"topics/{topic}"));
        Assert.Equal(1, info.GetProperty("head").GetInt64());

        // The same key for other content is refused, not stored.
        using var reused = await ClusterRequests.PublishAsync(cluster, topic, "refunded", Token, key);
        Assert.Equal(422, (int)reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
    }
}
