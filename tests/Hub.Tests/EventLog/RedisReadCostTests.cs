using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Cluster;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>
/// Reading names nobody published leaves no key in Redis. In the collection that runs alone: 100,000
/// reads stall when the machine is shared with the parallel tests, and stalls are not what this tests.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisReadCostTests(RedisServer redis)
{
    [Fact]
    public async Task Reads_Of100000UnknownTopics_LeaveNoKeyInRedis()
    {
        await using var connection = await redis.ConnectAsync();
        var prefix = $"hub:reads-{Guid.NewGuid():N}:";
        var log = new RedisEventLog(connection, prefix, Options.Create(new RetentionOptions()), TimeProvider.System, NullLogger<RedisEventLog>.Instance);
        var names = Enumerable.Range(0, 100_000).Select(i => $"never-published-{i}").ToArray();

        // Info, and every tenth a page after a sequence, as GET /topics/{x}, history and SSE replay read.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = deadline.Token }, async (topic, cancellationToken) =>
        {
            var info = await log.GetInfoAsync(topic, cancellationToken);
            Assert.Equal(0, info.Head);
            if (topic.EndsWith('0'))
                Assert.Empty((await log.ReadAfterAsync(topic, 5, 100, cancellationToken)).Events);
        });

        Assert.Equal(0, await CountKeysAsync(connection, prefix));
        var written = names[0];
        var before = await log.GetInfoAsync(written);
        await log.AppendAsync(written, before.Epoch, 0, [new EventDraft("status", "first")], DateTimeOffset.UtcNow);
        Assert.Equal(2, await CountKeysAsync(connection, prefix)); // the first publish creates the topic's meta and stream
    }

    private static async Task<int> CountKeysAsync(StackExchange.Redis.ConnectionMultiplexer connection, string prefix)
    {
        var count = 0;
        await foreach (var _ in connection.GetServers().Single().KeysAsync(pattern: prefix + "*", pageSize: 1_000))
            count++;
        return count;
    }
}
