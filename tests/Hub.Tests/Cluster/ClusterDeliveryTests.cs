using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterDeliveryTests(RedisServer redis)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PublishesThroughBothApiNodes_ReachSubscribersOnBothNodes_ExactlyOnceInOrder()
    {
        await using var cluster = await HubCluster.StartAsync(redis);
        string[] topics = [$"news-{Guid.NewGuid():N}", $"status-{Guid.NewGuid():N}"];
        var subscribers = new List<ResumingSubscriber>
        {
            await ResumingSubscriber.StartAsync(cluster, 0, topics),
            await ResumingSubscriber.StartAsync(cluster, 1, topics),
            await ResumingSubscriber.StartAsync(cluster, 0, topics[0]),
            await ResumingSubscriber.StartAsync(cluster, 1, topics[1]),
        };
        try
        {
            await using var publishers = PublishLoop.Start(cluster, topics, publishers: 4, eventsPerPublisher: 60, pause: TimeSpan.FromMilliseconds(10));
            await publishers.CompletionAsync(PublishTimeout);

            Assert.Equal(240, publishers.Acknowledged);
            await DeliveryCheck.AssertExactlyOnceInOrderAsync(cluster, publishers, subscribers, topics);
            Assert.All(subscribers, s => Assert.Equal(0, s.Reconnects));
        }
        finally
        {
            foreach (var s in subscribers)
                await s.DisposeAsync();
        }
    }
}
