using System.Threading.Channels;
using Hub.Api.Cursors;
using Hub.Api.Sse;

namespace Hub.Api.Subscriptions;

/// <summary>
/// One open SSE response as the rest of the node sees it: a bounded queue that feeds may only
/// <see cref="TryEnqueue"/> into. A full queue means the client cannot keep up; the connection is then
/// closed rather than allowed to slow anyone else, and the client resumes from its last id.
/// </summary>
public sealed class SseConnection : IDisposable
{
    private static long _nextId;

    // A null item asks the writer for a keep-alive comment; every other item is an event.
    private readonly Channel<FormattedEvent?> _queue;
    private readonly CancellationTokenSource _closed;
    private int _closeReason = (int)ConnectionCloseReason.None;

    public SseConnection(TopicSet topics, int queueCapacity, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(topics);
        Topics = topics;
        _queue = Channel.CreateBounded<FormattedEvent?>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite only: "full" is reported, never waited on
        });
        _closed = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        LastWrite = Environment.TickCount64;
    }

    public long Id { get; } = Interlocked.Increment(ref _nextId);

    public TopicSet Topics { get; }

    /// <summary>The node's feeds this connection is attached to, in the order of <see cref="Topics"/>.</summary>
    public IReadOnlyList<TopicFeed> Feeds { get; internal set; } = [];

    /// <summary>Per topic, where the node's feed stood when this connection joined it: the exact start of a live subscription.</summary>
    public IReadOnlyList<TopicPosition> LiveStart { get; internal set; } = [];

    /// <summary>Cancelled when the connection must end: client gone, too slow, or node shutting down.</summary>
    public CancellationToken Closed => _closed.Token;

    public ConnectionCloseReason CloseReason => (ConnectionCloseReason)Volatile.Read(ref _closeReason);

    /// <summary><see cref="Environment.TickCount64"/> of the last write to the client, for keep-alives.</summary>
    public long LastWrite { get; set; }

    internal ChannelReader<FormattedEvent?> Queue => _queue.Reader;

    /// <summary>Queues a live event; false (and the connection closes) when the client is too far behind.</summary>
    public bool TryEnqueue(FormattedEvent formatted)
    {
        if (_queue.Writer.TryWrite(formatted))
            return true;
        Close(ConnectionCloseReason.SlowClient);
        return false;
    }

    /// <summary>Asks for a keep-alive comment; a full queue needs none, it is about to write anyway.</summary>
    public void EnqueueKeepAlive() => _queue.Writer.TryWrite(null);

    /// <summary>When the connection opened (<see cref="Environment.TickCount64"/>).</summary>
    public long OpenedAt { get; } = Environment.TickCount64;

    /// <summary>
    /// Ends the connection gracefully: what is queued is still written, then the stream ends with a
    /// <c>retry:</c> so the client comes back (to this or another node) and resumes by cursor.
    /// </summary>
    public void Drain(ConnectionCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, (int)ConnectionCloseReason.None) == (int)ConnectionCloseReason.None)
            _queue.Writer.TryComplete();
    }

    /// <summary>True when the connection ended by <see cref="Drain"/>, so the client should get a goodbye <c>retry:</c>.</summary>
    public bool IsDraining => CloseReason is ConnectionCloseReason.Draining or ConnectionCloseReason.LifetimeEnded;

    /// <summary>Ends the connection at once; the first reason given is the one that counts.</summary>
    public void Close(ConnectionCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, (int)ConnectionCloseReason.None) != (int)ConnectionCloseReason.None)
            return;
        _queue.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Closed after the response already ended: nothing left to stop.
        }
    }

    public void Dispose() => _closed.Dispose();
}
