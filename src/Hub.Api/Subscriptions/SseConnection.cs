using System.Buffers;
using System.IO.Pipelines;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Sse;

namespace Hub.Api.Subscriptions;

/// <summary>
/// One open SSE response, written directly by the feeds it listens to, the way nchan and SignalR write:
/// a feed with new events copies their bytes into the response's <see cref="PipeWriter"/> and flushes,
/// and a flush that completes synchronously (the usual case) ends the delivery there. Only a connection
/// whose flush is still pending gets a continuation, which catches up from the feeds' recent events by
/// sequence and writes everything it missed in one go. So an idle connection costs its pipe, its
/// positions and this object: no queue, no loop and no timer of its own.
/// <para>
/// A connection that falls further behind than a feed keeps is too slow: it is cut off (it never slows
/// anyone else) and the client resumes from its last id, served from the log. Every event carries an
/// <c>id:</c> with the positions of all the subscription's topics, so the browser's
/// <c>Last-Event-ID</c> is always an exact resume point.
/// </para>
/// <para>
/// The state (<see cref="SseConnectionState"/>) is guarded by one lock and moved only here. The request
/// handler owns the response while <see cref="SseConnectionState.Replaying"/> (it writes history) and
/// awaits <see cref="WaitAsync"/> while the connection is live.
/// </para>
/// </summary>
public sealed partial class SseConnection : IFeedListener
{
    private static long _nextId;

    [ThreadStatic]
    private static List<FormattedEvent>? _scratch;

    private readonly Lock _lock = new();
    private readonly HttpContext _context;
    private readonly PipeWriter _output;
    private readonly HubMetrics _metrics;
    private readonly TopicPosition[] _positions;
    private readonly IEventFraming? _framing;
    private TopicFeed[] _feeds = [];
    private SseConnectionState _state = SseConnectionState.Replaying;
    private ConnectionCloseReason _closeReason = ConnectionCloseReason.None;
    private bool _endWhenFlushed;
    // Set by the request handler as it returns: from then on Kestrel may dispose the request's context,
    // so a late abort (a slow client cut off just as its handler finished) must not touch it.
    private bool _requestOver;
    private int _topicNeedingLog = -1;
    // Completed with true when the connection ended, false when a topic needs the log (the handler replays).
    private TaskCompletionSource<bool> _wake = NewWake();
    private long _lastWrite = Environment.TickCount64;

    /// <param name="framing">A protocol's own framing (see <see cref="IEventFraming"/>); null for the native one.</param>
    public SseConnection(TopicSet topics, HttpContext context, HubMetrics metrics, IEventFraming? framing = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(metrics);
        Topics = topics;
        _context = context;
        _output = context.Response.BodyWriter;
        _metrics = metrics;
        _positions = new TopicPosition[topics.Count];
        _framing = framing;
    }

    public long Id { get; } = Interlocked.Increment(ref _nextId);

    public TopicSet Topics { get; }

    /// <summary>When the connection opened (<see cref="Environment.TickCount64"/>).</summary>
    public long OpenedAt { get; } = Environment.TickCount64;

    public ConnectionCloseReason CloseReason
    {
        get
        {
            lock (_lock)
                return _closeReason;
        }
    }

    public SseConnectionState State
    {
        get
        {
            lock (_lock)
                return _state;
        }
    }

    /// <summary>The <c>retry:</c> to write before the response ends, when the connection was drained.</summary>
    public byte[]? Goodbye { get; private set; }

    /// <summary>The node's feeds this connection listens to, in the order of <see cref="Topics"/>.</summary>
    public IReadOnlyList<TopicFeed> Feeds => _feeds;

    /// <summary>
    /// The positions per topic (the cursor). Read and moved by the request handler only while
    /// <see cref="SseConnectionState.Replaying"/>; under the lock by the live path.
    /// </summary>
    internal Span<TopicPosition> Positions => _positions;

    /// <summary>The position of topic <paramref name="i"/> as last written (for status and tests).</summary>
    public TopicPosition PositionOf(int i)
    {
        lock (_lock)
            return _positions[i];
    }

    /// <summary>Takes the feeds joined by <see cref="TopicFeeds.AttachAsync"/>; the positions start where each feed stood.</summary>
    internal void Attached(TopicFeed[] feeds, TopicPosition[] liveStarts)
    {
        _feeds = feeds;
        liveStarts.CopyTo(_positions, 0);
    }

    /// <summary>Ends the connection when the client goes away (the request is aborted).</summary>
    internal CancellationTokenRegistration EndWhenAborted() =>
        _context.RequestAborted.UnsafeRegister(static state => ((SseConnection)state!).Close(ConnectionCloseReason.ClientGone), this);

    /// <summary>
    /// Completes with true when the connection has ended, or false when a topic's epoch changed under a
    /// live connection and the handler must replay it from the log (<see cref="TopicNeedingLog"/>).
    /// </summary>
    public Task<bool> WaitAsync()
    {
        lock (_lock)
            return _wake.Task;
    }

    /// <summary>The topic that made <see cref="WaitAsync"/> complete with false.</summary>
    public int TopicNeedingLog
    {
        get
        {
            lock (_lock)
                return _topicNeedingLog;
        }
    }

    /// <summary>
    /// Moves a replaying connection live: under the lock, catches up from the feeds' recent events what
    /// they delivered while the handler replayed, then lets the feeds write. Returns -1 when live (or
    /// ended), or the index of a topic whose next event the feed no longer holds: the handler reads it
    /// from the log and tries again. A topic in another epoch than its feed waits for the feed (it is
    /// catching up with the log, and its next delivery brings the connection back here if need be).
    /// </summary>
    internal int GoLive()
    {
        lock (_lock)
        {
            if (_state == SseConnectionState.Ended)
                return -1;
            var written = 0;
            for (var i = 0; i < _feeds.Length; i++)
            {
                var read = CatchUpLocked(i, out var count);
                written += count;
                if (read == FeedRead.Evicted)
                {
                    Count(written);
                    return i;
                }
            }
            if (_wake.Task.IsCompleted)
                _wake = NewWake();
            _state = SseConnectionState.Idle;
            Count(written);
            FlushLocked();
            return -1;
        }
    }

    /// <inheritdoc />
    public int OnAdvanced(TopicFeed feed, ReadOnlySpan<FormattedEvent> fresh)
    {
        lock (_lock)
        {
            var i = _feeds.Length == 1 ? 0 : Array.IndexOf(_feeds, feed);
            if (_state == SseConnectionState.Flushing && i >= 0)
            {
                // Still flushing: its continuation catches up, unless the feed no longer holds its next event.
                var position = _positions[i];
                if (position.IsIn(fresh[0].Epoch) && position.Sequence + 1 < feed.OldestHeld)
                    CutOffLocked();
            }
            // Replaying: the handler catches up when it goes live.
            if (_state != SseConnectionState.Idle || i < 0)
                return 0;
            try
            {
                var written = WriteFreshLocked(i, fresh);
                if (_state == SseConnectionState.Idle && written > 0)
                    FlushLocked();
                return written;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // The response is gone under us: contained to this connection.
                EndLocked(ConnectionCloseReason.ClientGone);
                return 0;
            }
        }
    }

    /// <summary>
    /// Writes a keep-alive comment if nothing was written since <paramref name="silentSince"/> (the
    /// node-wide heartbeat); true when it wrote one.
    /// </summary>
    public bool KeepAliveIfSilent(long silentSince)
    {
        lock (_lock)
        {
            if (_state != SseConnectionState.Idle || _lastWrite > silentSince)
                return false;
            try
            {
                _output.Write(SseFormat.KeepAlive);
                _lastWrite = Environment.TickCount64;
                FlushLocked();
                return true;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
            {
                EndLocked(ConnectionCloseReason.ClientGone);
                return false;
            }
        }
    }

    /// <summary>
    /// Ends the connection; the first reason given is the one that counts. A client that is gone or too
    /// slow ends at once (a too slow one is aborted: its socket is full, nothing more would get through);
    /// any other end waits for a pending flush, so what was written still reaches the client.
    /// </summary>
    public void Close(ConnectionCloseReason reason) => End(reason, goodbye: null);

    /// <summary>
    /// Ends the connection gracefully with a <c>retry:</c> (<paramref name="goodbye"/>), so the client
    /// comes back, to this or another node, and resumes by cursor.
    /// </summary>
    public void Drain(ConnectionCloseReason reason, byte[] goodbye) => End(reason, goodbye);

    private void End(ConnectionCloseReason reason, byte[]? goodbye)
    {
        var immediate = reason is ConnectionCloseReason.ClientGone or ConnectionCloseReason.SlowClient;
        lock (_lock)
        {
            if (_state == SseConnectionState.Ended)
                return;
            if (_closeReason == ConnectionCloseReason.None)
            {
                _closeReason = reason;
                Goodbye = goodbye;
            }
            if (_state == SseConnectionState.Flushing && !immediate)
            {
                _endWhenFlushed = true;
                return;
            }
            EndLocked(reason);
        }
        if (reason == ConnectionCloseReason.SlowClient)
            AbortRequest();
    }

    /// <summary>
    /// The request handler is returning: the response is Kestrel's again, and its context may be disposed
    /// at any moment. Call last, on the handler's own flow. A client cut off as too slow is aborted here
    /// too, as the abort queued by the cut-off may not have run yet: its full socket would otherwise hold
    /// the response's end.
    /// </summary>
    internal void RequestOver()
    {
        lock (_lock)
        {
            if (_closeReason == ConnectionCloseReason.SlowClient)
                AbortRequestLocked();
            _requestOver = true;
        }
    }

    /// <summary>Aborts the request (a client too slow to be written to) unless its handler already returned.</summary>
    private void AbortRequest()
    {
        lock (_lock)
            AbortRequestLocked();
    }

    private void AbortRequestLocked()
    {
        if (!_requestOver)
            _context.Abort();
    }

    // ---- the replay (request handler, Replaying state only) ----

    /// <summary>Writes consecutive events of topic <paramref name="i"/> while replaying; the caller flushes.</summary>
    internal int WriteReplayed(int i, ReadOnlySpan<FormattedEvent> events) => WriteLocked(i, events);

    /// <summary>Writes raw SSE bytes (a reset, an id-only event) while replaying.</summary>
    internal void WriteRaw(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    /// <summary>The <c>id:</c> line of the current positions, written straight into the response.</summary>
    internal void WriteIdLine()
    {
        var span = _output.GetSpan(SseFormat.IdLineMaxLength(Topics, _positions));
        _output.Advance(SseFormat.WriteIdLine(span, Topics, _positions));
    }

    /// <summary>An id-only event: it moves the browser's <c>Last-Event-ID</c> without firing a message event.</summary>
    internal void WriteIdOnly()
    {
        WriteIdLine();
        _output.Write("\n"u8);
    }

    /// <summary>Flushes what the replay wrote; false when the client is gone or the connection ended.</summary>
    internal async ValueTask<bool> FlushReplayedAsync(CancellationToken cancellationToken)
    {
        _lastWrite = Environment.TickCount64;
        var result = await _output.FlushAsync(cancellationToken);
        return !result.IsCompleted && !result.IsCanceled && State != SseConnectionState.Ended;
    }

    // ---- the live path (under the lock) ----

    /// <summary>Writes what is new for topic <paramref name="i"/>: from <paramref name="fresh"/> when it follows on, else from the feed's ring.</summary>
    private int WriteFreshLocked(int i, ReadOnlySpan<FormattedEvent> fresh)
    {
        var position = _positions[i];
        var first = fresh[0];
        if (position.IsIn(first.Epoch) && first.Sequence <= position.Sequence + 1)
        {
            // The common case: the fresh events follow on (or overlap what a replay read from the log).
            // Counted, not subtracted: a channel's feed has holes between its sequences.
            var skip = 0;
            while (skip < fresh.Length && fresh[skip].Sequence <= position.Sequence)
                skip++;
            return WriteLocked(i, fresh[skip..]);
        }
        return ReactLocked(CatchUpLocked(i, out var written), i, written);
    }

    /// <summary>Copies topic <paramref name="i"/>'s events after the position from its feed's ring and writes them.</summary>
    private FeedRead CatchUpLocked(int i, out int written)
    {
        var scratch = _scratch ??= [];
        try
        {
            var read = _feeds[i].ReadAfter(_positions[i], scratch);
            written = read == FeedRead.Served ? WriteLocked(i, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch)) : 0;
            return read;
        }
        finally
        {
            scratch.Clear();
        }
    }

    /// <summary>What a live connection does when its feed could not serve it.</summary>
    private int ReactLocked(FeedRead read, int i, int written)
    {
        switch (read)
        {
            case FeedRead.Evicted:
                CutOffLocked(); // fell off the ring while its flushes were pending
                break;
            case FeedRead.OtherEpoch:
                // The topic's log was lost and restarted (or this position is from a newer epoch than the
                // feed has seen yet): only the log can say, so the handler replays the topic from it.
                _state = SseConnectionState.Replaying;
                _topicNeedingLog = i;
                _wake.TrySetResult(false);
                break;
        }
        return written;
    }

    /// <summary>Copies events into the response, each with the id line of the positions it moves to.</summary>
    private int WriteLocked(int i, ReadOnlySpan<FormattedEvent> events)
    {
        if (_framing is not null)
            return WriteFramedLocked(i, events);
        foreach (var formatted in events)
        {
            _positions[i] = new TopicPosition(formatted.Epoch, formatted.Sequence);
            var body = formatted.Body.Span;
            if (_positions.Length == 1)
            {
                var id = formatted.SingleTopicIdLine(Topics);
                var span = _output.GetSpan(id.Length + body.Length);
                id.CopyTo(span);
                body.CopyTo(span[id.Length..]);
                _output.Advance(id.Length + body.Length);
            }
            else
            {
                var span = _output.GetSpan(SseFormat.IdLineMaxLength(Topics, _positions) + body.Length);
                var length = SseFormat.WriteIdLine(span, Topics, _positions);
                body.CopyTo(span[length..]);
                _output.Advance(length + body.Length);
            }
        }
        if (events.Length > 0)
            _lastWrite = Environment.TickCount64;
        return events.Length;
    }

    /// <summary>Writes the events <see cref="_framing"/> takes; the position moves past every event, taken or not.</summary>
    private int WriteFramedLocked(int i, ReadOnlySpan<FormattedEvent> events)
    {
        var written = 0;
        foreach (var formatted in events)
        {
            _positions[i] = new TopicPosition(formatted.Epoch, formatted.Sequence);
            if (_framing!.TryWrite(_output, formatted))
                written++;
        }
        if (written > 0)
            _lastWrite = Environment.TickCount64;
        return written;
    }

    /// <summary>
    /// Flushes; a flush that completes at once leaves the connection idle, a pending one makes it
    /// <see cref="SseConnectionState.Flushing"/> with a continuation that catches up when it completes.
    /// </summary>
    private void FlushLocked()
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = _output.FlushAsync();
            if (flush.IsCompleted)
            {
                var result = flush.GetAwaiter().GetResult();
                if (result.IsCompleted || result.IsCanceled)
                    EndLocked(ConnectionCloseReason.ClientGone);
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            EndLocked(ConnectionCloseReason.ClientGone);
            return;
        }
        _state = SseConnectionState.Flushing;
        _ = ContinueAfterFlushAsync(flush);
    }

    /// <summary>The slow path: runs only for a connection whose flush did not complete at once.</summary>
    private async Task ContinueAfterFlushAsync(ValueTask<FlushResult> flush)
    {
        var gone = false;
        try
        {
            var result = await flush;
            gone = result.IsCompleted || result.IsCanceled;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            gone = true;
        }
        var written = 0;
        lock (_lock)
        {
            if (_state != SseConnectionState.Flushing)
                return; // ended at once meanwhile (client gone, too slow)
            if (gone)
            {
                EndLocked(ConnectionCloseReason.ClientGone);
                return;
            }
            if (_endWhenFlushed)
            {
                EndLocked(_closeReason);
                return;
            }
            _state = SseConnectionState.Idle;
            try
            {
                for (var i = 0; i < _feeds.Length && _state == SseConnectionState.Idle; i++)
                    written += ReactLocked(CatchUpLocked(i, out var count), i, count);
                if (_state == SseConnectionState.Idle && written > 0)
                    FlushLocked();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
            {
                EndLocked(ConnectionCloseReason.ClientGone);
            }
        }
        Count(written);
    }

    /// <summary>Counts events written outside a feed's walk (which counts its own once per walk).</summary>
    private void Count(int written)
    {
        if (written > 0)
            _metrics.Delivered(written);
    }

    /// <summary>
    /// Ends a client too slow for the feed's ring and aborts its connection (its socket is full: nothing
    /// more would get through), off the lock and off the feed's walk.
    /// </summary>
    private void CutOffLocked()
    {
        EndLocked(ConnectionCloseReason.SlowClient);
        ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.AbortRequest(), this, preferLocal: false);
    }

    private void EndLocked(ConnectionCloseReason reason)
    {
        if (_closeReason == ConnectionCloseReason.None)
            _closeReason = reason;
        _state = SseConnectionState.Ended;
        _wake.TrySetResult(true);
    }

    private static TaskCompletionSource<bool> NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
