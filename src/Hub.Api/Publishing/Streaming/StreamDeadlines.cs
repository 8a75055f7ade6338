namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// Everything that may end a streamed publish while its body is still coming — the idle timeout, the
/// maximum duration, the token's expiry, shutdown and the publisher leaving — behind one cancellation
/// token, with the first reason that fired kept: the reads see a cancellation, the handler asks why.
/// </summary>
public sealed class StreamDeadlines : IDisposable
{
    private readonly CancellationTokenSource _cut = new();
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _idle;
    private readonly ITimer _duration;
    private readonly ITimer? _expiry;
    private readonly CancellationTokenRegistration _stopping;
    private readonly CancellationTokenRegistration _aborted;
    private int _reason;

    public StreamDeadlines(StreamingPublishOptions options, TimeProvider time, DateTimeOffset? tokenAcceptedUntil, CancellationToken stopping, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _idleTimeout = options.IdleTimeout;
        _idle = time.CreateTimer(static s => ((StreamDeadlines)s!).Cut(StreamCut.IdleTimeout), this, _idleTimeout, Timeout.InfiniteTimeSpan);
        _duration = time.CreateTimer(static s => ((StreamDeadlines)s!).Cut(StreamCut.MaxDuration), this, options.MaxDuration, Timeout.InfiniteTimeSpan);
        if (tokenAcceptedUntil is { } until)
        {
            var due = until - time.GetUtcNow();
            // Timers cannot wait longer than about 49 days; a token living longer outlives MaxDuration anyway.
            if (due <= TimeSpan.Zero)
                Cut(StreamCut.TokenExpired);
            else if (due.TotalMilliseconds < uint.MaxValue - 1)
                _expiry = time.CreateTimer(static s => ((StreamDeadlines)s!).Cut(StreamCut.TokenExpired), this, due, Timeout.InfiniteTimeSpan);
        }
        _stopping = stopping.UnsafeRegister(static s => ((StreamDeadlines)s!).Cut(StreamCut.ShuttingDown), this);
        _aborted = aborted.UnsafeRegister(static s => ((StreamDeadlines)s!).Cut(StreamCut.ClientGone), this);
    }

    /// <summary>Cancelled when the stream must end.</summary>
    public CancellationToken Token => _cut.Token;

    /// <summary>The first reason that ended the stream, or <see cref="StreamCut.None"/>.</summary>
    public StreamCut Reason => (StreamCut)Volatile.Read(ref _reason);

    /// <summary>The publisher sent something: the idle timeout starts over.</summary>
    public void Activity() => _idle.Change(_idleTimeout, Timeout.InfiniteTimeSpan);

    private void Cut(StreamCut reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StreamCut.None) == (int)StreamCut.None)
            _cut.Cancel();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _aborted.Dispose();
        _idle.Dispose();
        _duration.Dispose();
        _expiry?.Dispose();
        _cut.Dispose();
    }
}
