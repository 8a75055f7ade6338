using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// Every way a publish can fail in a silo, over a real silo↔client connection (in-process tests never
/// serialize the exception): each reaches the API node as itself and becomes a 4xx or a 503, never a 500.
/// The others are covered where their fault is made: a log that moved (EpochChangeTests), a full or
/// stalled queue (PublishQueueTests), a dead silo (NodeFailoverTests).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PublishFailurePathTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("failure-paths");

    [Fact]
    public async Task EachFailureInTheSilo_ReachesThePublisherAs4xxOr503_Never500()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, siloSettings: new Dictionary<string, string>
        {
            // The silo's Redis client gives up after 1 s, so a stalled Redis fails an append quickly.
            ["Hub__Redis__ConnectionString"] = $"{redis.ConnectionString},asyncTimeout=1000",
            // The silo allows less data than the API node: the grain, not the edge, refuses what is between.
            ["Hub__Publish__MaxDataBytes"] = "16",
        });
        var topic = $"paths-{Guid.NewGuid():N}";
        (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "warm-up", Token, null, Timeout)).Response.Dispose();

        // ArgumentException thrown by the grain.
        using (var tooLarge = await ClusterRequests.PublishAsync(cluster, topic, new string('x', 100), Token))
            await AssertProblemAsync(cluster, tooLarge, HttpStatusCode.BadRequest);

        // IdempotencyKeyReusedException.
        using (var first = await ClusterRequests.PublishAsync(cluster, topic, "one", Token, "key-1"))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var reused = await ClusterRequests.PublishAsync(cluster, topic, "other", Token, "key-1"))
            await AssertProblemAsync(cluster, reused, HttpStatusCode.UnprocessableEntity);

        // EventLogUnavailableException: Redis holds every script longer than the silo's client waits.
        Assert.Equal("+OK", await redis.CommandAsync("CLIENT PAUSE 5000 WRITE"));
        try
        {
            using var stalled = await ClusterRequests.PublishAsync(cluster, topic, "stalled", Token);
            await AssertProblemAsync(cluster, stalled, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(stalled.Headers.RetryAfter);
        }
        finally
        {
            Assert.Equal("+OK", await redis.CommandAsync("CLIENT UNPAUSE"));
        }

        // And the topic publishes again once Redis answers.
        (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "after", Token, null, Timeout)).Response.Dispose();
    }

    private static async Task AssertProblemAsync(HubCluster cluster, HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        var output = cluster.Output();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {body}\n{(output.Length > 20_000 ? output[^20_000..] : output)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
