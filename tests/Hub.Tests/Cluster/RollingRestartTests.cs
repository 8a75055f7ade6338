using System.Diagnostics;
using Hub.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class RollingRestartTests(RedisServer redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An upgrade as an orchestrator does it: each API node in turn gets SIGTERM (it drains its clients
    /// over Hub:Drain:Window with a jittered retry) and a replacement starts; then each silo in turn gets
    /// SIGTERM (Orleans hands its grains over) and a replacement starts. Publishing never stops, and
    /// subscribers come back with their last id to whichever node is live.
    /// </summary>
    [Fact]
    public async Task RollingRestartOfEveryNode_WhilePublishing_NoClientLosesOrRepeatsAnEvent()
    {
        await using var cluster = await HubCluster.StartAsync(redis);
        string[] topics = [$"news-{Guid.NewGuid():N}", $"status-{Guid.NewGuid():N}", $"scores-{Guid.NewGuid():N}"];
        var subscribers = new List<ResumingSubscriber>();
        try
        {
            for (var node = 0; node < cluster.ApiCount; node++)
            {
                subscribers.Add(await ResumingSubscriber.StartAsync(cluster, node, topics));
                subscribers.Add(await ResumingSubscriber.StartAsync(cluster, node, topics[node]));
            }
            // Bounded: at most 2 × 1,400 events over 3 topics stays inside the retention of 1,000 per topic.
            await using var publishers = PublishLoop.Start(cluster, topics, publishers: 2, eventsPerPublisher: 1_400, pause: TimeSpan.FromMilliseconds(50), limit: TimeSpan.FromMinutes(3));
            await publishers.WaitForMoreAcksAsync(20, Timeout);

            for (var node = 0; node < cluster.ApiCount; node++)
            {
                var clock = Stopwatch.StartNew();
                await cluster.StopApiAsync(node);
                output.WriteLine($"API node {node} drained and stopped in {clock.Elapsed}");
                await cluster.StartApiAsync(node);
                await publishers.WaitForMoreAcksAsync(20, Timeout);
            }
            for (var silo = 0; silo < cluster.SiloCount; silo++)
            {
                var clock = Stopwatch.StartNew();
                await cluster.StopSiloAsync(silo);
                output.WriteLine($"Silo {silo} stopped in {clock.Elapsed}");
                await cluster.StartSiloAsync(silo);
                await publishers.WaitForMoreAcksAsync(20, Timeout);
            }
            await publishers.StopAsync();

            var attempts = publishers.Attempts;
            output.WriteLine($"{attempts.Count(a => a.Acknowledged)} acknowledged, {attempts.Count(a => a.Status == 503)} answered 503, {attempts.Count(a => a.Status == 0)} lost their connection; slowest publish {attempts.Max(a => a.Ended - a.Started)}");
            await DeliveryCheck.AssertExactlyOnceInOrderAsync(cluster, publishers, subscribers, topics);
            // Every subscriber was on a node that was drained, so every one of them moved at least once.
            Assert.All(subscribers, s => Assert.True(s.Reconnects >= 1, "a subscriber never moved"));
        }
        finally
        {
            foreach (var s in subscribers)
                await s.DisposeAsync();
        }
    }
}
