using System.Collections.Concurrent;
using System.Net;
using System.Net.ServerSentEvents;
using Hub.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

/// <summary>
/// The compose file's Redis (append-only file, fsync every second) killed with SIGKILL right after a burst
/// of publishes, and restarted from its file: every subscriber, on either API node, either receives every
/// acknowledged event or a <c>hub.reset</c> for the topic; never a silent gap, never a 500.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("redis-crash-test");
    private const int Publishers = 16;
    private const int PublishesEach = 25;
    private const string AfterTheCrash = "after the crash";

    [Fact]
    public Task RedisKilledRightAfterABurst_EverySubscriberGetsEveryAcknowledgedEventOrAReset_NeverASilentGapOrA500() =>
        WithPersistentRedisAsync(RunAsync);

    [Fact]
    public Task RedisDown_TheApiNodeTurnsUnreadyAndAnswersPublishesWith503Problems_AndRecoversWhenRedisIsBack() =>
        WithPersistentRedisAsync(async redis =>
        {
            // docs/operations.md: an API node is ready only while Redis answers a PING; a publish that cannot
            // reach the log is a 503 the publisher may retry, never a 500.
            await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1);
            var api = cluster.Api(0);
            var topic = $"outage-{Guid.NewGuid():N}";
            (await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "before", Token, idempotencyKey: null, Timeout)).Response.Dispose();

            await redis.StopAsync();
            await Eventually.TrueAsync(async () => await StatusAsync(api, "health/ready") == HttpStatusCode.ServiceUnavailable, "the API node turns unready", Timeout);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, "health/live"));
            for (var i = 0; i < 3; i++)
            {
                using var refused = await ClusterRequests.PublishAsync(cluster, topic, $"during {i}", Token);
                var body = await refused.Content.ReadAsStringAsync();
                Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"publish {i} with Redis down: {(int)refused.StatusCode} {body}");
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }

            // Back on the same port, from its append-only file: the node is ready again and publishing works.
            await redis.StartAsync();
            await Eventually.TrueAsync(async () => await StatusAsync(api, "health/ready") == HttpStatusCode.OK, "the API node is ready again", Timeout);
            var (created, response) = await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, "after", Token, idempotencyKey: null, Timeout);
            response.Dispose();
            output.WriteLine($"after Redis came back: {created}");
            // "before" may have been within the unsynced second the kill lost (the other test's subject); "after" is stored.
            Assert.Equal("after", (await ClusterRequests.HistoryAsync(cluster, topic))[^1]);
        });

    /// <summary>Runs <paramref name="test"/> on a Redis of its own that persists like the compose file's (append-only file, fsync every second).</summary>
    private static async Task WithPersistentRedisAsync(Func<RedisServer, Task> test)
    {
        var directory = Directory.CreateTempSubdirectory("hub-redis-aof-");
        try
        {
            var redis = RedisServer.WithAppendOnlyFile(directory.FullName);
            await redis.StartAsync();
            try
            {
                await test(redis);
            }
            finally
            {
                await redis.StopAsync();
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HubProcess node, string path)
    {
        using var response = await node.Client.GetAsync(path);
        return response.StatusCode;
    }

    private async Task RunAsync(RedisServer redis)
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 2);
        var topic = $"crash-{Guid.NewGuid():N}";
        var subscribers = new List<SseStream>();
        try
        {
            foreach (var api in new[] { 0, 0, 1, 1 })
                subscribers.Add(await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Api(api).Address, $"topics/{topic}/events").ToString()));

            // A burst from concurrent publishers through both API nodes; each publisher's events are in order.
            var acknowledged = new ConcurrentBag<string>();
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < PublishesEach; i++)
                {
                    using var response = await ClusterRequests.PublishAsync(cluster, topic, $"{p}-{i}", Token, api: p % 2);
                    Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    acknowledged.Add($"{p}-{i}");
                }
            })));

            // SIGKILL right after the last acknowledgement, within the second the file may not have been synced.
            await redis.StopAsync();
            await redis.StartAsync();
            var head = await HeadAsync(redis, topic);

            // Publishing works again: 503s while the silo reconnects, never a 500 (PublishUntilCreatedAsync asserts it).
            var (_, created) = await ClusterRequests.PublishUntilCreatedAsync(cluster, topic, AfterTheCrash, Token, idempotencyKey: null, Timeout);
            created.Dispose();

            var resets = 0;
            for (var s = 0; s < subscribers.Count; s++)
            {
                var (received, reset) = await ReadUntilAfterTheCrashAsync(subscribers[s]);
                if (reset)
                {
                    resets++;
                    // What came before the reset was acknowledged and is not repeated; the reset owns up to the rest.
                    Assert.Subset(acknowledged.ToHashSet(), received.ToHashSet());
                    Assert.Equal(received.Count, received.Distinct().Count());
                }
                else
                {
                    Assert.Equal(acknowledged.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
                }
                AssertInPublisherOrder(received);
            }
            output.WriteLine($"acknowledged {acknowledged.Count}; the topic's head in Redis after the restart: {head?.ToString() ?? "gone"} " +
                $"(lost by Redis: {acknowledged.Count - (head ?? 0)}); subscribers that got a hub.reset: {resets} of {subscribers.Count}");
        }
        finally
        {
            foreach (var subscriber in subscribers)
                await subscriber.DisposeAsync();
        }
    }

    /// <summary>The data of the events before <see cref="AfterTheCrash"/>, and whether a <c>hub.reset</c> came.</summary>
    private static async Task<(List<string> Received, bool Reset)> ReadUntilAfterTheCrashAsync(SseStream subscriber)
    {
        var received = new List<string>();
        var reset = false;
        while (true)
        {
            SseItem<string> item = await subscriber.NextAsync(Timeout);
            if (item.EventType == "hub.reset")
                reset = true;
            else if (item.Data == AfterTheCrash)
                return (received, reset);
            else
                received.Add(item.Data);
        }
    }

    private static void AssertInPublisherOrder(List<string> received)
    {
        foreach (var publisher in received.GroupBy(d => d.Split('-')[0]))
        {
            var order = publisher.Select(d => int.Parse(d.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(order.Order(), order);
        }
    }

    private static async Task<long?> HeadAsync(RedisServer redis, string topic)
    {
        using var connection = await redis.ConnectAsync();
        var server = connection.GetServers()[0];
        var meta = server.Keys(pattern: $"*{{{topic}}}:meta").ToList();
        if (meta.Count == 0)
            return null;
        var head = await connection.GetDatabase().HashGetAsync(meta.Single(), "head");
        return head.IsNull ? null : (long)head;
    }
}
