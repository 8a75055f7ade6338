using System.Collections.Concurrent;
using System.Net;

namespace Hub.Tests.Client;

/// <summary>
/// A real loopback HTTP handler with faults a test switches on: a publish whose answer is lost after the hub
/// stored it, a publish answered 503 before it reaches the hub, and SSE streams the test can cut mid-stream.
/// Records every publish's Idempotency-Key and every request's Authorization header.
/// </summary>
public sealed class FaultyHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<CuttableStream, byte> _streams = new();
    private int _answersToLose;
    private int _unavailableAnswers;

    public ConcurrentQueue<string?> PublishKeys { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>The next <paramref name="count"/> publishes reach the hub, then their answer is dropped (as if the connection broke).</summary>
    public void LoseAnswers(int count) => Volatile.Write(ref _answersToLose, count);

    /// <summary>The next <paramref name="count"/> publishes are answered 503 with Retry-After without reaching the hub.</summary>
    public void AnswerUnavailable(int count) => Volatile.Write(ref _unavailableAnswers, count);

    /// <summary>Breaks every open SSE stream: the client's next read fails as if the connection were cut.</summary>
    public void CutStreams()
    {
        foreach (var stream in _streams.Keys)
        {
            stream.Cut();
            _streams.TryRemove(stream, out _);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Authorizations.Enqueue(request.Headers.Authorization?.ToString());
        if (request.Method == HttpMethod.Post)
        {
            PublishKeys.Enqueue(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null);
            if (Interlocked.Decrement(ref _unavailableAnswers) >= 0)
            {
                var unavailable = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("""{"status":503,"title":"Service unavailable"}""") };
                unavailable.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return unavailable;
            }
            if (Interlocked.Decrement(ref _answersToLose) >= 0)
            {
                using var stored = await base.SendAsync(request, cancellationToken);
                throw new HttpRequestException($"The answer ({(int)stored.StatusCode}) was lost on the way back (test fault).");
            }
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var stream = new CuttableStream(await response.Content.ReadAsStreamAsync(cancellationToken));
            _streams.TryAdd(stream, 0);
            var content = new StreamContent(stream);
            foreach (var header in response.Content.Headers)
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = content;
        }
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        CutStreams();
        base.Dispose(disposing);
    }
}

/// <summary>A response stream whose reads fail once cut; disposing it closes the real connection.</summary>
public sealed class CuttableStream(Stream inner) : Stream
{
    private readonly CancellationTokenSource _cut = new();

    public void Cut()
    {
        // The next read fails; the client then disposes the response, which closes the real connection.
        // (Disposing the inner stream here, from the consumer's thread, could wait on the connection.)
        try
        {
            _cut.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The client closed this stream already.
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cut.Token);
        try
        {
            return await inner.ReadAsync(buffer, linked.Token);
        }
        catch (Exception e) when (_cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The connection was cut (test fault).", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _cut.Dispose();
        }
        base.Dispose(disposing);
    }
}
