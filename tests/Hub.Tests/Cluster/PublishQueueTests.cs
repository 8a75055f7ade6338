using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// A topic grain's publish queue while Redis stalls (<c>CLIENT PAUSE … WRITE</c> holds every script until
/// <c>CLIENT UNPAUSE</c>): bounded, and a publish its caller gave up on is not stored later.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PublishQueueTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("queue-test");

    /// <summary>The silo's Redis client waits as long as the test holds Redis, so no append fails on its own.</summary>
    private Dictionary<string, string> Settings(string responseTimeout) => new()
    {
        ["Hub__Redis__ConnectionString"] = $"{redis.ConnectionString},asyncTimeout=60000",
        ["Hub__Cluster__ResponseTimeout"] = responseTimeout,
    };

    [Fact]
    public async Task WhileRedisStalls_PublishesBeyondMaxQueuedEvents_Get503WithRetryAfter_TheQueuedOnesAreStoredAfterwards()
    {
        var settings = Settings("00:00:40");
        settings["Hub__Publish__MaxQueuedEvents"] = "3";
        settings["Hub__Publish__MaxBatchEvents"] = "3";
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, settings);
        var topic = $"queue-{Guid.NewGuid():N}";
        (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "warm-up", Token, null, Timeout)).Response.Dispose();

        Assert.Equal("+OK", await redis.CommandAsync("CLIENT PAUSE 30000 WRITE"));
        var pending = Enumerable.Range(1, 8).Select(i => ClusterRequests.PublishAsync(cluster, topic, $"p{i}", Token)).ToList();
        var answered = new List<HttpResponseMessage>();
        try
        {
            // One append in flight (held by Redis) and three waiting behind it: the other four are refused at once.
            while (answered.Count < 4)
            {
                var done = await Task.WhenAny(pending).WaitAsync(Timeout);
                pending.Remove(done);
                answered.Add(await done);
            }
            Assert.All(answered, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
            Assert.All(answered, r => Assert.Equal("1", r.Headers.RetryAfter?.ToString()));
            Assert.All(answered, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
            Assert.All(pending, p => Assert.False(p.IsCompleted));
        }
        finally
        {
            Assert.Equal("+OK", await redis.CommandAsync("CLIENT UNPAUSE"));
        }

        var stored = await Task.WhenAll(pending).WaitAsync(Timeout);
        answered.AddRange(stored);
        foreach (var response in answered)
            response.Dispose();
        Assert.All(stored, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(5, (await ClusterRequests.HistoryAsync(cluster, topic)).Count);
    }

    [Fact]
    public async Task PublishesQueuedLongerThanTheResponseTimeout_AreAnswered503AndNeverStored()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, Settings("00:00:02"));
        var topic = $"abandoned-{Guid.NewGuid():N}";
        (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "warm-up", Token, null, Timeout)).Response.Dispose();

        // Redis holds the first append until every caller has given up (2 s) and been answered.
        Assert.Equal("+OK", await redis.CommandAsync("CLIENT PAUSE 30000 WRITE"));
        string[] data = ["given-up-1", "given-up-2", "given-up-3"];
        HttpResponseMessage[] responses;
        try
        {
            responses = await Task.WhenAll(data.Select(d => ClusterRequests.PublishAsync(cluster, topic, d, Token))).WaitAsync(Timeout);
        }
        finally
        {
            Assert.Equal("+OK", await redis.CommandAsync("CLIENT UNPAUSE"));
        }
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        foreach (var response in responses)
            response.Dispose();

        // The grain goes on once Redis answers. Of the three, only the one whose append was already on
        // its way to Redis may be stored (the log's answer is never abandoned); the two queued behind it are not.
        (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "after", Token, null, Timeout)).Response.Dispose();
        var history = await ClusterRequests.HistoryAsync(cluster, topic);
        Assert.True(history.Count(data.Contains) <= 1, $"stored: {string.Join(", ", history)}");
        Assert.Equal("after", history[^1]);
    }
}
