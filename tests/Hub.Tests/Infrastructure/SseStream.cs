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
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SseStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The last id the parser saw (what a browser would send as Last-Event-ID).</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The last <c>retry:</c> the server sent.</summary>
    public TimeSpan? Retry { get; private set; }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Completion => _reader;

    /// <summary>
    /// Opens a stream and, unless told otherwise, waits until the hub has attached it to the live feed:
    /// the hub's first <c>id:</c> line (the handover block) is written only after that, so an event
    /// published afterwards is certain to arrive even on a subscription that starts live.
    /// </summary>
    public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null, HttpContent? body = null, bool waitUntilAttached = true)
    {
        var stream = await OpenUnattachedAsync(client, path, lastEventId, body);
        if (waitUntilAttached)
        {
            try
            {
                await stream._attached.Task.WaitAsync(DefaultTimeout);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }
        }
        return stream;
    }

    private static async Task<SseStream> OpenUnattachedAsync(HttpClient client, string path, string? lastEventId, HttpContent? body)
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
            using var body = new FirstIdWatcher(await _response.Content.ReadAsStreamAsync(_stop.Token), _attached);
            var parser = SseParser.Create(body);
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                LastEventId = parser.LastEventId;
                Retry = parser.ReconnectionInterval;
                await _items.Writer.WriteAsync(item);
            }
            Retry = parser.ReconnectionInterval;
            _items.Writer.TryComplete();
            _attached.TrySetException(new InvalidOperationException("The stream ended before the hub attached it."));
        }
        catch (Exception ex)
        {
            _attached.TrySetException(ex);
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

    /// <summary>Passes the body through and signals when the first <c>id:</c> line has gone by.</summary>
    private sealed class FirstIdWatcher(Stream inner, TaskCompletionSource seen) : Stream
    {
        private static readonly byte[] Marker = "\nid: "u8.ToArray();
        private int _matched;

        public override int Read(byte[] buffer, int offset, int count) => Watch(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Watch(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Watch(ReadOnlySpan<byte> bytes)
        {
            if (seen.Task.IsCompleted)
                return bytes.Length;
            foreach (var b in bytes)
            {
                _matched = b == Marker[_matched] ? _matched + 1 : (b == Marker[0] ? 1 : 0);
                if (_matched == Marker.Length)
                {
                    seen.TrySetResult();
                    break;
                }
            }
            return bytes.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
