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
}
