using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Hub.Client;
using Hub.Client.Subscribing;
using Xunit;

namespace Hub.Tests.Client;

/// <summary>
/// A stream cut between an event's <c>id:</c> line and the blank line that ends it. The bytes and the cut must
/// be exact, so a raw HTTP/1.1 server on loopback plays the hub: its first answer sends event 1 and then only
/// <c>id: …:2</c> before it closes the connection mid-response (a FIN, so what was sent arrives); its second
/// serves event 2 and records the <c>Last-Event-ID</c> the client resumed from.
/// </summary>
public class ClientCutMidEventTests
{
    [Fact]
    public async Task AStreamCutAfterAnEventsId_ResumesFromTheLastEventReceived_NotFromThatId()
    {
        await using var hub = FakeHub.Start(attempt => attempt == 1
            ? ("retry: 50\n\nid: fp.e:1\ndata: one\n\nid: fp.e:2\n", Cut: true)
            : ("id: fp.e:2\ndata: two\n\n", Cut: false));
        using var http = new HttpClient { BaseAddress = hub.Address, Timeout = Timeout.InfiniteTimeSpan };
        var client = new HubClient(http, new HubClientOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1) });

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync("t", SubscribeFrom.After("fp.e:0")));
        await events.WaitForAsync(2);

        Assert.Equal(["one", "two"], events.Received.Select(e => e.Data));
        Assert.Equal(["fp.e:0", "fp.e:1"], hub.LastEventIds);
    }

    /// <summary>Answers each GET with one chunk of SSE text, then either closes the connection mid-response or keeps it open.</summary>
    private sealed class FakeHub : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _lastEventIds = new();
        private readonly List<Socket> _open = [];
        private readonly Func<int, (string Text, bool Cut)> _answer;
        private readonly Task _accepting;

        private FakeHub(Func<int, (string Text, bool Cut)> answer)
        {
            _answer = answer;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        /// <summary>The Last-Event-ID of each request, in order.</summary>
        public IReadOnlyList<string> LastEventIds => [.. _lastEventIds];

        public static FakeHub Start(Func<int, (string Text, bool Cut)> answer) => new(answer);

        private async Task AcceptAsync()
        {
            var attempt = 0;
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    lock (_open)
                        _open.Add(socket);
                    var request = await ReadHeadAsync(socket);
                    var lastEventId = request.Split("\r\n").FirstOrDefault(l => l.StartsWith("Last-Event-ID:", StringComparison.OrdinalIgnoreCase));
                    _lastEventIds.Enqueue(lastEventId?["Last-Event-ID:".Length..].Trim() ?? "");
                    var (text, cut) = _answer(++attempt);
                    var body = Encoding.UTF8.GetBytes(text);
                    var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + $"{body.Length:x}\r\n";
                    await socket.SendAsync(Encoding.ASCII.GetBytes(head).Concat(body).Concat("\r\n"u8.ToArray()).ToArray());
                    if (cut)
                        socket.Shutdown(SocketShutdown.Send); // the response never ends: the client reads what was sent, then a broken stream
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }

        private static async Task<string> ReadHeadAsync(Socket socket)
        {
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                    break;
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            return head.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            lock (_open)
            {
                foreach (var socket in _open)
                    socket.Dispose();
            }
            _stop.Dispose();
        }
    }
}
