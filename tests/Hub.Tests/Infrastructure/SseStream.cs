using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Threading.Channels;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A real SSE client: an HTTP response read by System.Net.ServerSentEvents' parser (the WHATWG
/// algorithm), with every received item queued so tests can await the next one with a timeout.
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseItem<string>> _items = Channel.CreateUnbounded<SseItem<string>>();
    private readonly Task _reader;

    private SseStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The last id the parser saw (what a browser would send as Last-Event-ID).</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Completion => _reader;

    public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null, HttpContent? body = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path) { Content = body };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(DefaultTimeout);
        return new SseStream(response);
    }

    /// <summary>The next event (not counting id-only blocks, which the parser reports with empty data and type "message").</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var item = await _items.Reader.ReadAsync(cts.Token);
                if (item.EventType == "message" && item.Data.Length == 0)
                    continue;
                return item;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No SSE event within {timeout ?? DefaultTimeout}.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The server ended the stream.");
        }
    }

    /// <summary>The next <paramref name="count"/> events.</summary>
    public async Task<List<SseItem<string>>> NextAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<SseItem<string>>(count);
        for (var i = 0; i < count; i++)
            list.Add(await NextAsync(timeout));
        return list;
    }

    private async Task ReadAsync()
    {
        try
        {
            _response.EnsureSuccessStatusCode();
            using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            var parser = SseParser.Create(body);
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                LastEventId = parser.LastEventId;
                await _items.Writer.WriteAsync(item);
            }
            _items.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _items.Writer.TryComplete(_stop.IsCancellationRequested ? null : ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
