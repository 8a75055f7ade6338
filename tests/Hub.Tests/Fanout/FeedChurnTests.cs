using Hub.Api.Subscriptions;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Fanout;

/// <summary>Connections joining and leaving many topics while the watchdog checks every feed, concurrently.</summary>
public sealed class FeedChurnTests
{
    private const int Topics = 60;

    [Fact]
    public async Task ChurnOverManyTopics_WhileTheWatchdogRuns_EndsWithNoFeedAndNoStreamSubscription()
    {
        // A pass every 100 ms (the shortest allowed) races every start and release; more topics than the watchdog checks at once.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Subscriptions:HeadCheckInterval"] = "00:00:00.100",
            ["Hub:Limits:MaxConnectionsPerClient"] = "0",
            ["Hub:Limits:PublishRequestsPerSecond"] = "0",
        });
        var topics = Enumerable.Range(0, Topics).Select(i => HubServerFixture.NewTopic($"churn{i}")).ToArray();
        Assert.True(Topics > FeedWatchdog.MaxConcurrentChecks);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var round = 0; round < 15; round++)
            {
                var picked = topics.OrderBy(_ => random.Next()).Take(random.Next(1, 9)).ToArray();
                var path = "events?" + string.Join('&', picked.Select(t => $"topic={t}"));
                // Half the connections leave before the hub has attached them (their feeds may still be starting).
                await using var sse = await SseStream.OpenAsync(server.Client, path, waitUntilAttached: round % 2 == 0);
                if (round % 3 == 0)
                {
                    var mine = $"{worker}-{round}";
                    await server.Client.PublishAsync(picked[0], mine);
                    // Other workers publish to these topics too: skip their events until ours (each wait times out).
                    if (round % 2 == 0)
                    {
                        string data;
                        do
                            data = (await sse.NextAsync()).Data;
                        while (data != mine);
                    }
                }
            }
        })));

        await FeedLeaks.AssertNoneRemainAsync(server, topics);
    }
}
