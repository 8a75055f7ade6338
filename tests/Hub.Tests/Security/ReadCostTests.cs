using System.Diagnostics;
using System.Net;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Security;

/// <summary>
/// Reads do not create state: anonymous reads of names nobody publishes (topic info, history, long-poll,
/// SSE) leave nothing in the event log; a topic exists from its first publish, and a subscriber that was
/// there before it gets that first event like any other.
/// <para>In the collection that runs alone: thousands of grain activations in the test process would
/// stall the tests running beside them.</para>
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class ReadCostTests(ITestOutputHelper output)
{
    /// <summary>
    /// Distinct names read over HTTP. Each read activates a topic grain (collected when idle), which is the
    /// slow part on a shared 2-core machine; 100,000 took 7.6 min there next to other tests, so the HTTP run
    /// reads 20,000 and the 100,000-name run is the Redis log's (RedisEventLogTests).
    /// </summary>
    private const int DistinctNames = 20_000;

    [Fact]
    public async Task Reads_OfManyDistinctUnknownTopics_StoreNothingInTheLog()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Limits:MaxConnectionsPerClient"] = "0" });
        var log = Assert.IsType<InMemoryEventLog>(server.Services.GetRequiredService<IEventLog>());
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var run = Guid.NewGuid().ToString("N")[..8];
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, DistinctNames), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
        {
            var topic = $"unknown-{run}-{i}";
            // Mostly topic info; every tenth a history page, every thousandth a long-poll that times out.
            var path = (i % 1_000) switch
            {
                0 => $"topics/{topic}/events?wait=1",
                _ when i % 10 == 0 => $"topics/{topic}/events?after=5",
                _ => $"topics/{topic}",
            };
            using var response = await client.SendAsync(Tokens.Get(path), cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
        // SSE opens of unknown names too (each attaches a node feed, which it leaves on closing).
        for (var i = 0; i < 20; i++)
        {
            await using var sse = await SseStream.OpenAsync(client, $"topics/sse-{run}-{i}/events");
        }

        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"{DistinctNames:N0} reads in {clock.Elapsed.TotalSeconds:F1} s; log topics: {log.TopicCount}; managed heap {heapBefore / 1024 / 1024} → {heapAfter / 1024 / 1024} MiB (topic grains activated by the reads stay until Orleans collects them)");
        Assert.Equal(0, log.TopicCount);
    }

    [Fact]
    public async Task ASubscriberBeforeTheFirstPublish_GetsTheFirstEvent_AndTheTopicExistsFromThen()
    {
        await using var server = await HubServer.StartAsync();
        var log = Assert.IsType<InMemoryEventLog>(server.Services.GetRequiredService<IEventLog>());
        var topic = $"born-{Guid.NewGuid():N}";
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        Assert.Equal(0, log.TopicCount);

        var ack = await server.Client.PublishAsync(topic, "first");
        var received = await sse.NextAsync();

        Assert.Equal(("status", "first", ack.Id), (received.EventType, received.Data, received.EventId));
        Assert.Equal(1, log.TopicCount);
    }
}
