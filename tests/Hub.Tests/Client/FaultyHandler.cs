using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hub.Tests.Client;

/// <summary>
/// A real loopback HTTP handler with faults a test switches on: a publish whose answer is lost after the hub
/// stored it, a publish answered 503 before it reaches the hub, and connections the test can cut mid-stream
/// or make fall silent.
/// Records every publish's Idempotency-Key and every request's Authorization header.
/// </summary>
public sealed class FaultyHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<Socket, SilenceableStream> _sockets = new();
    private int _answersToLose;
    private int _unavailableAnswers;

    public FaultyHandler() => InnerHandler = new SocketsHttpHandler
    {
        // Real sockets, all remembered, so a test can cut them like a network would (a pooled connection can
        // carry a stream after a publish, so all of them: an in-flight publish is then retried with its key).
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            var stream = new SilenceableStream(new NetworkStream(socket, ownsSocket: true));
            _sockets.TryAdd(socket, stream);
            return stream;
        },
    };

    public ConcurrentQueue<string?> PublishKeys { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>The next <paramref name="count"/> publishes reach the hub, then their answer is dropped (as if the connection broke).</summary>
    public void LoseAnswers(int count) => Volatile.Write(ref _answersToLose, count);

    /// <summary>The next <paramref name="count"/> publishes are answered 503 with Retry-After without reaching the hub.</summary>
    public void AnswerUnavailable(int count) => Volatile.Write(ref _unavailableAnswers, count);

    /// <summary>Every connection opened so far falls silent: open, but nothing arrives any more (see <see cref="SilenceableStream"/>).</summary>
    public void SilenceConnections()
    {
        foreach (var stream in _sockets.Values)
            stream.FallSilent();
    }

    /// <summary>Closes every connection opened so far: the client's streams and requests fail as if the network had cut them.</summary>
    public void CutConnections()
    {
        foreach (var socket in _sockets.Keys)
        {
            _sockets.TryRemove(socket, out _);
            // Shut down first: the client's read pending on the socket wakes to the end of the stream (a broken
            // response), and one started meanwhile ends at once. Disposing alone raced such a read: once in CI
            // the client stalled after 10 of 120 events, its socket never closed (the hub still held it open
            // and idle) and no reconnect, until the test timed out.
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Not connected, or already gone: disposing is all that is left.
            }
            socket.Dispose();
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
        return await base.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        CutConnections();
        base.Dispose(disposing);
    }
}
