using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Grains.Streams;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Fanout;

/// <summary>Checks that a node let go of everything it held for topics nobody listens to any more.</summary>
internal static class FeedLeaks
{
    /// <summary>
    /// Waits until the node has no feed and no stream subscription for <paramref name="topics"/>, then
    /// watches that none comes back: an absence can only be watched over time, here 500 ms — several
    /// watchdog periods at the tests' settings, in which a pass still holding a released feed would
    /// have subscribed it again. <paramref name="server"/> must be the test's own.
    /// </summary>
    public static async Task AssertNoneRemainAsync(HubServer server, IReadOnlyList<string> topics)
    {
        var feeds = server.Services.GetRequiredService<TopicFeeds>();
        await Eventually.TrueAsync(() => feeds.Count == 0, "every feed is released");
        var provider = server.Services.GetRequiredService<IClusterClient>().GetStreamProvider(HubStreams.Provider);
        foreach (var topic in topics)
        {
            var stream = provider.GetStream<EventBatch>(HubStreams.ForTopic(topic));
            await Eventually.TrueAsync(async () => (await stream.GetAllSubscriptionHandles()).Count == 0, $"no stream subscription to {topic} remains");
        }
        await Task.Delay(500);
        foreach (var topic in topics)
            Assert.Empty(await provider.GetStream<EventBatch>(HubStreams.ForTopic(topic)).GetAllSubscriptionHandles());
        Assert.Equal(0, feeds.Count);
        // The embedded hub's provider forgets a stream with its last subscription: on a server of the test's
        // own, with no feed left, it holds no stream at all.
        if (provider is LocalStreamProvider local)
            Assert.Equal(0, local.ActiveStreams);
    }
}
