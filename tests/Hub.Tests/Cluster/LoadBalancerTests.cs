using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

/// <summary>
/// The deployed <c>deploy/nginx.conf</c> in a real nginx in front of two real API nodes (upstream names
/// mapped to loopback, see <see cref="NginxProcess"/>): SSE passes through unbuffered, a client whose
/// node dies resumes through the balancer on the other one, the nodes, trusting the balancer, count each
/// client by its own forwarded address, new subscriptions pass a draining node by, and with every node
/// draining an EventSource is told to come back (200 + <c>retry:</c>), never a 5xx.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LoadBalancerTests(RedisServer redis, ITestOutputHelper output)
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

    [Fact]
    public async Task DeployedNginx_ForwardsEachClientsAddress_SoPerAddressLimitsCountClientsNotTheBalancer()
    {
        // As docker-compose.yml configures the nodes: the balancer trusted, the per-address limit on (at 1 here).
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 1, new Dictionary<string, string>
        {
            ["Hub__Proxy__KnownProxies__0"] = "127.0.0.1",
            ["Hub__Limits__MaxConnectionsPerClient"] = "1",
        });
        await using var nginx = await NginxProcess.StartAsync(cluster.LiveApis.Select(a => a.Address));
        // Three clients on three loopback addresses; nginx itself reaches the node from 127.0.0.1.
        using var alice = ClientFrom("127.0.0.2", nginx.Address);
        using var bob = ClientFrom("127.0.0.3", nginx.Address);
        using var mallory = ClientFrom("127.0.0.4", nginx.Address);
        var topic = $"lb-fwd-{Guid.NewGuid():N}";

        await using var alicesStream = await SseStream.OpenAsync(alice, $"topics/{topic}/events?note=not-for-logs");
        // Without the forwarded address Bob would share Alice's (the balancer's) slot and be refused.
        await using var bobsStream = await SseStream.OpenAsync(bob, $"topics/{topic}/events");
        using var alicesSecond = await alice.SendAsync(Tokens.Get($"topics/{topic}/events", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        // A client's own X-Forwarded-For is not believed: nginx appends the real address, and only that counts.
        using var spoofed = Tokens.Get($"topics/{topic}/events", accept: "text/event-stream");
        spoofed.Headers.Add("X-Forwarded-For", "127.0.0.3");
        using var mallorysStream = await mallory.SendAsync(spoofed, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, bobsStream.Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, alicesSecond.StatusCode);
        Assert.Equal(HttpStatusCode.OK, mallorysStream.StatusCode);
        // The deployed log format leaves query strings (and the tokens in them) out.
        await Eventually.TrueAsync(() => nginx.AccessLog.Contains($"/topics/{topic}/events", StringComparison.Ordinal), "nginx logged the streams");
        Assert.DoesNotContain("not-for-logs", nginx.AccessLog, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", nginx.AccessLog, StringComparison.Ordinal);
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="localAddress"/> (any of 127.0.0.0/8 on Linux).</summary>
    private static HttpClient ClientFrom(string localAddress, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task DeployedNginx_SendsNewSubscriptionsPastADrainingNode_AndTellsThemToComeBackWhenEveryNodeDrains()
    {
        // A long window, so both nodes are still draining while the test subscribes.
        await using var cluster = await HubCluster.StartAsync(redis, silos: 1, apis: 2, settings: new Dictionary<string, string>
        {
            ["Hub__Drain__Window"] = "00:00:40",
        });
        await using var nginx = await NginxProcess.StartAsync(cluster.LiveApis.Select(a => a.Address));
        using var client = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(30) };
        var topic = $"lb-drain-{Guid.NewGuid():N}";
        var token = HubCluster.PublisherToken("lb-drain");
        var nodeA = cluster.Api(0);
        var nodeB = cluster.Api(1);

        // Two clients straight on node A: drained one by one over the window, so A keeps draining for ~20 s.
        var onA = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SseStream.OpenAsync(nodeA.Client, $"topics/{topic}/events")));
        var stoppingA = cluster.StopApiAsync(0);
        await Task.WhenAny(onA.Select(s => s.Completion)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(nodeA.HasExited, "node A is still draining a client");
        // Straight to A (no balancer header), a new subscription is refused once the listener has closed, or
        // before that answered 200 with only a retry: never a 503.
        output.WriteLine($"subscribe straight to draining node A: {await DirectSubscribeAsync(nodeA.Client, topic)}");

        // Through nginx every new subscription lands on B: each is attached and gets the live event.
        var throughNginx = new List<SseStream>();
        for (var i = 0; i < 6; i++)
            throughNginx.Add(await SseStream.OpenAsync(client, $"topics/{topic}/events"));
        var ack = await PublishAsync(client, topic, "after-drain", token);
        foreach (var sse in throughNginx)
        {
            var live = await sse.NextAsync();
            Assert.Equal(("after-drain", ack.Id), (live.Data, live.EventId));
        }
        Assert.True(onA.Count(s => !s.Completion.IsCompleted) == 1 && !nodeA.HasExited, "node A was draining all along");
        using (var status = await nodeB.Client.GetAsync("status/data"))
            output.WriteLine($"node B status while A drains: {await status.Content.ReadAsStringAsync()}");

        // Now B drains too: no node takes a subscription, and nginx answers an EventSource with a 200 that
        // only says "come back later" (a 502/503 would end EventSource for good).
        var stoppingB = cluster.StopApiAsync(1);
        await Task.WhenAny(throughNginx.Select(s => s.Completion)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(nodeB.HasExited, "node B is still draining its clients");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"subscribe with every node draining: {(int)response.StatusCode} {response.Content.Headers.ContentType} \"{body.Trim()}\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("retry: 5000", body.Trim());
        Assert.False(nodeB.HasExited, "node B was draining when nginx answered");
        // A publish (not an EventSource) still gets an error status it can act on, not a fake 200.
        using var publish = await client.SendAsync(Tokens.Publish(topic, "nobody", token));
        Assert.True((int)publish.StatusCode >= 500, $"publish with no node: {(int)publish.StatusCode}");

        foreach (var sse in onA.Concat(throughNginx))
            await sse.DisposeAsync();
        // No need to sit out the drain windows.
        await nodeA.KillAsync();
        await nodeB.KillAsync();
        await Task.WhenAll(stoppingA, stoppingB).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<string> DirectSubscribeAsync(HttpClient node, string topic)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            using var response = await node.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches(@"^retry: \d+\n\n$", body);
            return $"200 \"{body.Trim()}\"";
        }
        catch (HttpRequestException e)
        {
            return $"refused ({e.HttpRequestError})";
        }
    }

    private static async Task<Publisher.Ack> PublishAsync(HttpClient client, string topic, string data, string token)
    {
        using var response = await client.SendAsync(Tokens.Publish(topic, data, token));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Publisher.Ack>(JsonSerializerOptions.Web))!;
    }
}
