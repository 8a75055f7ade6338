using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// On a Redis cluster, reads of names nobody published (topic info, history, long-poll, SSE) write no key;
/// the topic's keys appear with its first publish, and a subscriber that was waiting before it gets that
/// event as the next one, without a reset, although the log named no epoch for the topic until then.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class UnbornTopicTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReadsWriteNoKey_AndAStreamOpenedBeforeTheFirstPublishGetsItWithoutAReset()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, new Dictionary<string, string>
        {
            // Head checks often, so a check that found "no life yet" would have a chance to disturb the stream.
            ["Hub__Subscriptions__HeadCheckInterval"] = "00:00:00.200",
        });
        var api = cluster.Api(0).Address;
        var topic = $"unborn-{Guid.NewGuid():N}";
        await using var sse = await SseStream.OpenAsync(cluster.Http, new Uri(api, $"topics/{topic}/events").ToString());
        for (var i = 0; i < 40; i++)
        {
            var name = i == 0 ? topic : $"{topic}-read-{i}";
            var path = (i % 4) switch
            {
                0 => $"topics/{name}",
                1 => $"topics/{name}/events",
                2 => $"topics/{name}/events?after=3",
                _ => $"topics/{name}/events?wait=1",
            };
            await ReadAsync(cluster, new Uri(api, path));
        }
        var logKeys = RedisKeys.DefaultPrefix(cluster.ClusterId) + "log:*";
        Assert.Equal(0, await CountKeysAsync(logKeys));

        await PublishAsync(cluster, topic, "first");
        var first = await sse.NextAsync(Timeout);
        Assert.Equal(("status", "first"), (first.EventType, first.Data));
        await PublishAsync(cluster, topic, "second");
        Assert.Equal("second", (await sse.NextAsync(Timeout)).Data);
        Assert.Equal(2, await CountKeysAsync(logKeys)); // the published topic's meta and stream, nothing else
    }

    /// <summary>A read answered 200; a 503 (the cluster too slow to answer on a loaded machine) is retried.</summary>
    private static async Task ReadAsync(HubCluster cluster, Uri address)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        while (true)
        {
            using var response = await cluster.Http.SendAsync(Tokens.Get(address.ToString()), cancel.Token);
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(200, cancel.Token);
        }
    }

    private async Task<int> CountKeysAsync(string pattern)
    {
        using var connection = await redis.ConnectAsync();
        var count = 0;
        await foreach (var _ in connection.GetServers()[0].KeysAsync(pattern: pattern))
            count++;
        return count;
    }

    private static async Task PublishAsync(HubCluster cluster, string topic, string data)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.Api(0).Address, $"topics/{topic}/events"))
        {
            Content = JsonContent.Create(new { type = "status", data }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HubCluster.PublisherToken("unborn"));
        using var response = await cluster.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
