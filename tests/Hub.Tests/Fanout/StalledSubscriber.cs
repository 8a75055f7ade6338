using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace Hub.Tests.Fanout;

/// <summary>
/// An SSE client that reads the stream's opening (headers, retry and first id) and then stops reading
/// until <see cref="Resume"/>: the server's writes back up through the socket buffers, as with a client
/// on a slow link. Everything it reads is kept, in order.
/// </summary>
public sealed class StalledSubscriber : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SseItem<string>> _events = [];
    private Task _reading = Task.CompletedTask;

    private StalledSubscriber(Uri address)
    {
        // A small receive buffer, so a few hundred kilobytes fill the path from the server.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                {
                    ReceiveBufferSize = 4096,
                    NoDelay = true,
                };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        _client = new HttpClient(handler) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The last id the parser saw, as a browser would resume from it.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Completes when the stream ended (the server closed or cut it), with the error if it was cut.</summary>
    public Task Completion => _reading;

    /// <summary>The events read so far (id-only blocks left out).</summary>
    public IReadOnlyList<SseItem<string>> Events
    {
        get
        {
            lock (_events)
                return [.. _events];
        }
    }

    public static async Task<StalledSubscriber> OpenAsync(Uri address, string path)
    {
        var subscriber = new StalledSubscriber(address);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await subscriber._client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, subscriber._stop.Token);
        response.EnsureSuccessStatusCode();
        subscriber._reading = subscriber.ReadAsync(response);
        await subscriber._opened.Task.WaitAsync(TimeSpan.FromSeconds(15));
        return subscriber;
    }

    /// <summary>Starts reading again, as fast as the server sends.</summary>
    public void Resume() => _resume.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> events were read.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Events.Count < count)
        {
            if (_reading.IsCompleted)
                throw new InvalidOperationException($"The stream ended after {Events.Count} of {count} events.", _reading.Exception);
            await Task.Delay(20, cts.Token);
        }
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
            // The opening (retry and the id-only block, no event yet): read it raw, since a parser reports
            // no item for a block without data. Then stall until told to go on.
            var opening = "";
            var buffer = new byte[256];
            while (!opening.Contains("\nid: ", StringComparison.Ordinal) || !opening.EndsWith("\n\n", StringComparison.Ordinal))
            {
                var read = await body.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                    throw new InvalidOperationException("The stream ended before it opened.");
                opening += System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            }
            LastEventId = opening.Split('\n').Last(l => l.StartsWith("id: ", StringComparison.Ordinal))[4..];
            _opened.TrySetResult();
            await _resume.Task.WaitAsync(_stop.Token);

            var parser = SseParser.Create(body);
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                LastEventId = parser.LastEventId;
                if (item.Data.Length == 0 && item.EventType == "message")
                    continue; // an id-only block
                lock (_events)
                    _events.Add(item);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // Cut off or cancelled: either way over.
        }
        _client.Dispose();
        _stop.Dispose();
    }
}
