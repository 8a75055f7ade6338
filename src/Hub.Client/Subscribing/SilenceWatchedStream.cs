namespace Hub.Client.Subscribing;

/// <summary>
/// A subscription's response stream that must keep talking. The hub writes a keep-alive comment into every
/// silent stream (<c>Hub:Sse:HeartbeatInterval</c>), so a read that gets no byte at all within the timeout is
/// on a connection that is gone without a word: a peer behind a dead NAT entry or a vanished node, a socket
/// cut in a way that never wakes the pending read. The read is then cancelled through <see cref="Token"/>, and
/// the subscription reconnects from its cursor instead of waiting forever. The timer runs only while a read
/// is pending, so a consumer that takes its time between events does not trip it.
/// </summary>
internal sealed class SilenceWatchedStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _outer;
    private readonly CancellationTokenSource _silence;

    public SilenceWatchedStream(Stream inner, TimeSpan timeout, CancellationToken outer)
    {
        _inner = inner;
        _timeout = timeout;
        _outer = outer;
        _silence = CancellationTokenSource.CreateLinkedTokenSource(outer);
    }

    /// <summary>Cancelled when the subscription is, or when a read waited longer than the timeout. Pass it to the reads.</summary>
    public CancellationToken Token => _silence.Token;

    /// <summary>Whether the stream was abandoned for its silence (and not because the subscription was cancelled).</summary>
    public bool WentSilent => _silence.IsCancellationRequested && !_outer.IsCancellationRequested;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _silence.CancelAfter(_timeout);
        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken);
        }
        finally
        {
            // Disarmed between reads: the time the consumer spends on an event is not silence.
            if (!_silence.IsCancellationRequested)
                _silence.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

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
            _inner.Dispose();
            _silence.Dispose();
        }
        base.Dispose(disposing);
    }
}
