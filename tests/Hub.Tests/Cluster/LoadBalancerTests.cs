using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// The deployed <c>deploy/nginx.conf</c> in a real nginx in front of two real API nodes (upstream names
/// mapped to loopback, see <see cref="NginxProcess"/>): SSE passes through unbuffered, and a client whose
/// node dies resumes through the balancer on the other one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LoadBalancerTests(RedisServer redis)
{
    [Fact]
    public async Task DeployedNginx_StreamsEventsAsTheyHappen_AndResumesAClientOnTheOtherNodeWhenOneDies()
    {
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 2);
        await using var nginx = await NginxProcess.StartAsync(cluster.LiveApis.Select(a => a.Address));
        using var client = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(30) };
        var topic = $"lb-{Guid.NewGuid():N}";
        var token = HubCluster.PublisherToken("lb");

        await using var sse = await SseStream.OpenAsync(client, $"topics/{topic}/events");
        // Arrives while the stream stays open: a buffering proxy would hold it back (nginx takes the
        // hub's X-Accel-Buffering: no for itself, so that header never reaches the client).
        var first = await PublishAsync(client, topic, "one", token);
        var live = await sse.NextAsync();
        Assert.Equal(("one", first.Id), (live.Data, live.EventId));

        await cluster.KillApiAsync(0);
        // nginx finds node 0 refusing and passes the publish on to node 1 (proxy_next_upstream error).
        var second = await PublishAsync(client, topic, "two", token);
        // Whichever node the first stream was on, a browser reconnecting with its Last-Event-ID through
        // the balancer gets exactly what came after it.
        await using var resumed = await SseStream.OpenAsync(client, $"topics/{topic}/events", lastEventId: first.Id);
        var replayed = await resumed.NextAsync();
        Assert.Equal(("two", second.Id), (replayed.Data, replayed.EventId));
        Assert.DoesNotContain("[emerg]", nginx.Output, StringComparison.Ordinal);
    }

    private static async Task<Publisher.Ack> PublishAsync(HttpClient client, string topic, string data, string token)
    {
        using var response = await client.SendAsync(Tokens.Publish(topic, data, token));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Publisher.Ack>(JsonSerializerOptions.Web))!;
    }
}
