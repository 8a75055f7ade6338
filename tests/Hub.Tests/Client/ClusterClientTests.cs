using System.Net;
using Hub.Client;
using Hub.Client.Publishing;
using Hub.Tests.Cluster;
using Hub.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Client;

/// <summary>
/// <see cref="HubClient"/> across the Redis cluster (two silos, two API nodes, real processes): the
/// subscriber's API node is killed and then the silo hosting the topic, while a publisher keeps publishing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterClientTests(RedisServer redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KilledApiNodeThenKilledSilo_SubscriberGetsEveryEventExactlyOnce_AndTheRetryingPublisherStoresEachOnce()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 2, apis: 2);
        const int count = 150;
        var topic = $"client-{Guid.NewGuid():N}";
        var options = new HubClientOptions
        {
            BaseAddress = cluster.Api(0).Address,
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(2),
            MaxPublishAttempts = 30,
            TokenProvider = _ => ValueTask.FromResult<string?>(HubCluster.PublisherToken("client-test")),
        };
        using var subscriberRoute = new NodeRoutingHandler(cluster, preferred: 0);
        using var publisherRoute = new NodeRoutingHandler(cluster, preferred: 1);
        using var subscriberHttp = new HttpClient(subscriberRoute, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var publisherHttp = new HttpClient(publisherRoute, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var subscriber = new HubClient(subscriberHttp, options);
        var publisher = new HubClient(publisherHttp, options);
        try
        {
            await using var events = new ClientTestKit.Collector(subscriber.SubscribeAsync(topic));
            await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected", Timeout);

            var results = new List<PublishResult>();
            var publishing = Task.Run(async () =>
            {
                for (var i = 1; i <= count; i++)
                {
                    var result = await publisher.PublishAsync(topic, "n", $"{i}");
                    lock (results)
                        results.Add(result);
                }
            });
            int Acks()
            {
                lock (results)
                    return results.Count;
            }

            await Eventually.TrueAsync(() => publishing.IsFaulted || Acks() >= 30, "30 publishes acknowledged", Timeout);
            await cluster.KillApiAsync(0); // the subscriber's node
            await Eventually.TrueAsync(() => publishing.IsFaulted || Acks() >= 60, "60 publishes acknowledged", Timeout);
            var host = await cluster.SiloHostingAsync(topic);
            await cluster.KillSiloAsync(host); // the topic's grain: publishes get 503 until it is active on the other silo
            await publishing.WaitAsync(Timeout);
            await events.WaitForAsync(count, Timeout);

            // Through the client: right after a failover the topic's info may still answer 503, which it retries.
            var head = (await publisher.GetEventsAsync(topic, after: count, limit: 1)).Head;
            output.WriteLine($"subscriber connections {events.Subscription.Connections}, no-answer {subscriberRoute.Failures}; publisher answers " +
                $"{string.Join(", ", publisherRoute.Answers.Select(a => $"{(int)a.Key}×{a.Value}"))}, no-answer {publisherRoute.Failures}");
            Assert.Equal(count, head); // a retry stored twice would push the head past count
            Assert.Equal([.. Enumerable.Range(1, count).Select(i => (long)i)], results.Select(r => r.Sequence));
            Assert.Equal([.. Enumerable.Range(1, count).Select(i => $"{i}")], events.Received.Select(e => e.Data));
            Assert.Equal([.. Enumerable.Range(1, count).Select(i => (long)i)], events.Received.Select(e => e.Sequence!.Value));
            Assert.True(events.Subscription.Connections >= 2, "the subscriber never reconnected: the node kill did not reach it");
            var retried = publisherRoute.Answers.Where(a => a.Key != HttpStatusCode.Created).Sum(a => a.Value) + publisherRoute.Failures;
            Assert.True(retried > 0, "no publish was retried: the silo kill did not reach the publisher");
        }
        catch
        {
            output.WriteLine(cluster.Output());
            throw;
        }
    }
}
