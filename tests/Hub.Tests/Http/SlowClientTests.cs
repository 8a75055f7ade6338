using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

public class SlowClientTests
{
    [Fact]
    public async Task SlowClient_IsDisconnected_WhileOthersReceiveEverything()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Subscriptions:RecentEventsPerTopic"] = "64",
        });
        var topic = HubServerFixture.NewTopic();

        // The slow client: a raw socket that sends the request and then never reads, so the server's
        // writes back up through the socket buffers until it falls off the topic's recent events.
        using var slow = new TcpClient();
        slow.ReceiveBufferSize = 4096;
        await slow.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /topics/{topic}/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"));
        await using var fast = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        var probe = await server.Client.PublishAsync(topic, "probe");
        await fast.NextAsync();

        var payload = new string('x', 60_000);
        const int events = 300; // ~18 MB: far more than the queue and loopback socket buffers hold
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < events; i++)
                await server.Client.PublishAsync(topic, $"{i}:{payload}");
        });
        var received = new List<string>();
        for (var i = 0; i < events; i++)
            received.Add((await fast.NextAsync()).Data.Split(':')[0]);
        await publishing;
        Assert.Equal(Enumerable.Range(0, events).Select(i => $"{i}"), received);

        // Now drain the slow socket: the server must have cut that response off (too slow), so the read
        // reaches its end with far fewer than all events in it.
        var total = 0L;
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
                total += n;
        }
        catch (IOException)
        {
            // A write blocked on a full socket cannot end gracefully: Kestrel resets the connection. Cut off either way.
        }
        Assert.True(total < events * 60_000L / 2, $"the slow client read {total} bytes; it should have been cut off");
        Assert.Equal(1, probe.Sequence);
    }

    /// <summary>
    /// Clients that read, but slower than events come, are cut off while their last flush is about to
    /// complete: the request handler wakes and returns while the cut-off's abort is still queued. The node
    /// must neither touch the finished request (its context is disposed: an unhandled exception on the
    /// thread pool ends the process) nor leave a cut-off response hanging. A real process, so a crash shows
    /// as its exit, not as the test host's.
    /// </summary>
    [Fact]
    public async Task SluggishClients_CutOffAsTheyCatchUp_LeaveTheNodeServing()
    {
        await using var hub = await HubProcess.StartAsync("Hub.Api", new Dictionary<string, string>
        {
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Subscriptions__RecentEventsPerTopic"] = "16",
            ["Hub__Limits__MaxConnectionsPerClient"] = "0",
            ["Hub__Limits__PublishRequestsPerSecond"] = "0",
            ["Hub__Limits__ReadRequestsPerSecond"] = "0",
        }, timeout: TimeSpan.FromMinutes(2));
        var topic = HubServerFixture.NewTopic();
        const int clients = 40;
        var readers = new List<Task<long>>();
        for (var c = 0; c < clients; c++)
            readers.Add(ReadSluggishlyAsync(hub.Address, topic));
        // Rounds of bursts until every sluggish client was cut off (each reads to its end).
        var payload = new string('y', 16_000);
        var published = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!readers.All(r => r.IsCompleted))
        {
            Assert.False(hub.HasExited, $"the hub exited ({(hub.HasExited ? hub.ExitCode : 0)}):\n{hub.Output}");
            deadline.Token.ThrowIfCancellationRequested();
            try
            {
                await Task.WhenAll(Enumerable.Range(0, 50).Select(i => hub.Client.PublishAsync(topic, $"{published + i}:{payload}")));
            }
            catch (HttpRequestException e)
            {
                Assert.Fail($"publishing failed ({e.Message}); the hub {(hub.HasExited ? "exited" : "runs")}:\n{hub.Output}");
            }
            published += 50;
            await Task.WhenAny(Task.WhenAll(readers), Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token));
        }
        Assert.All(await Task.WhenAll(readers), read => Assert.True(read < published * 16_000L, $"a sluggish client read {read} bytes of {published} events: not cut off"));

        // The node still serves: a new subscriber gets a new event.
        await using var after = await SseStream.OpenAsync(hub.Client, $"topics/{topic}/events");
        var last = await hub.Client.PublishAsync(topic, "after");
        Assert.Equal(last.Id, (await after.NextAsync()).EventId);
        Assert.False(hub.HasExited, hub.Output);
        Assert.DoesNotContain("Unhandled exception", hub.Output, StringComparison.Ordinal);
    }

    /// <summary>Subscribes on a raw socket and reads 2 KB at a time with a pause between reads, until the server ends the response; returns the bytes read.</summary>
    private static async Task<long> ReadSluggishlyAsync(Uri address, string topic)
    {
        using var socket = new TcpClient { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /topics/{topic}/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"));
        var buffer = new byte[2048];
        var total = 0L;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                total += n;
                if (total % 65_536 < 2048) await Task.Delay(1, timeout.Token); // the reader's pace, not a synchronisation
            }
        }
        catch (IOException)
        {
            // Reset by the server: cut off.
        }
        return total;
    }
}
