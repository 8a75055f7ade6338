using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>A topic's log lost under a live connection: the connection replays the topic from the log in its new epoch.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EpochChangeTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Token = HubCluster.PublisherToken("epoch-test");

    [Fact]
    public async Task LogLostUnderALiveConnection_SendsAResetThenTheNewEpochsEvents()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1);
        var topic = $"lost-{Guid.NewGuid():N}";
        await using var sse = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Api(0).Address, $"topics/{topic}/events").ToString());
        await PublishAsync(cluster, topic, "1");
        await PublishAsync(cluster, topic, "2");
        Assert.Equal(["1", "2"], (await sse.NextAsync(2)).Select(e => e.Data));

        // The topic's log is lost, as when a Redis without persistence restarts: both of its keys go.
        using (var connection = await redis.ConnectAsync())
        {
            var server = connection.GetServers()[0];
            var db = connection.GetDatabase();
            foreach (var key in server.Keys(pattern: $"*{topic}*"))
                await db.KeyDeleteAsync(key);
        }
        // The grain finds its log gone at its next append (refused, storing nothing), rereads it and
        // appends again: the publish starts the topic's new epoch.
        await PublishAsync(cluster, topic, "after the loss");

        await AssertEpochResetAsync(sse);
        var next = await sse.NextAsync(Timeout);
        Assert.Equal("after the loss", next.Data);

        // And the connection is live again in the new epoch.
        await PublishAsync(cluster, topic, "live again");
        Assert.Equal("live again", (await sse.NextAsync(Timeout)).Data);
    }

    [Fact]
    public async Task LogThatLostItsLastWrites_StartsANewEpoch_SubscribersGetAResetNot500sOrSilence()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1);
        var topic = $"wentback-{Guid.NewGuid():N}";
        await using var sse = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Api(0).Address, $"topics/{topic}/events").ToString());
        for (var i = 1; i <= 10; i++)
            await PublishAsync(cluster, topic, $"{i}");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i}"), (await sse.NextAsync(10)).Select(e => e.Data));

        await LoseLastWritesAsync(topic);

        // Publishing works again (the refused append is retried after the grain renewed), in a new epoch: the lost
        // sequences 8–10 are never given to other events, which the subscriber (at 10) would skip.
        await PublishAsync(cluster, topic, "after the loss");
        await AssertEpochResetAsync(sse);
        Assert.Equal("after the loss", (await sse.NextAsync(Timeout)).Data);
    }

    [Fact]
    public async Task LogThatWentBack_WithNoPublishToNoticeIt_TheNodesHeadCheckStartsANewEpoch_SubscribersGetAResetWithTheNextEvent()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, new Dictionary<string, string>
        {
            ["Hub__Subscriptions__HeadCheckInterval"] = "00:00:00.500",
        });
        var topic = $"behind-{Guid.NewGuid():N}";
        await using var sse = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Api(0).Address, $"topics/{topic}/events").ToString());
        for (var i = 1; i <= 10; i++)
            await PublishAsync(cluster, topic, $"{i}");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i}"), (await sse.NextAsync(10)).Select(e => e.Data));

        var before = await EpochAsync(cluster, topic);

        // No publish follows, so no append is refused: only the node, which delivered up to 10, can see
        // that the log (at 7) went back. A grain activated after the loss would not know either, and
        // would give 8, 9, 10 to new events that this subscriber skips.
        await LoseLastWritesAsync(topic);
        await Eventually.TrueAsync(async () => await EpochAsync(cluster, topic) != before, "the node's head check started a new epoch", Timeout);

        // The subscriber learns of the new epoch with its first event: a reset, then the event.
        await PublishAsync(cluster, topic, "after the loss");
        await AssertEpochResetAsync(sse);
        Assert.Equal("after the loss", (await sse.NextAsync(Timeout)).Data);
    }

    private static async Task<string> EpochAsync(HubCluster cluster, string topic) =>
        (await cluster.Http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Api(0).Address, $"topics/{topic}"))).GetProperty("epoch").GetString()!;

    /// <summary>
    /// What Redis restored from an append-only file that missed its last second looks like: the topic's
    /// events 8–10 gone and its head back from 10 to 7, in the same epoch.
    /// </summary>
    private async Task LoseLastWritesAsync(string topic)
    {
        using var connection = await redis.ConnectAsync();
        var server = connection.GetServers()[0];
        var db = connection.GetDatabase();
        var events = server.Keys(pattern: $"*{{{topic}}}:events").Single();
        var meta = server.Keys(pattern: $"*{{{topic}}}:meta").Single();
        await db.StreamDeleteAsync(events, ["8-0", "9-0", "10-0"]);
        await db.HashSetAsync(meta, "head", 7);
    }

    private static async Task AssertEpochResetAsync(SseStream sse)
    {
        var reset = await sse.NextAsync(Timeout);
        Assert.Equal("hub.reset", reset.EventType);
        using var data = JsonDocument.Parse(reset.Data);
        Assert.Equal("epoch-changed", data.RootElement.GetProperty("reason").GetString());
    }

    private static string Tail(string output) => output.Length > 3000 ? output[^3000..] : output;

    /// <summary>Publishes, retrying the 503 a grain answers while it notices its log changed.</summary>
    private static async Task PublishAsync(HubCluster cluster, string topic, string data)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.Api(0).Address, $"topics/{topic}/events"))
            {
                Content = JsonContent.Create(new { type = "status", data }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await cluster.Http.SendAsync(request, cts.Token);
            if (response.StatusCode == HttpStatusCode.Created)
                return;
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable,
                $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}\n{Tail(cluster.Api(0).Output)}\n{Tail(cluster.Silo(0).Output)}");
            await Task.Delay(100, cts.Token);
        }
    }
}
