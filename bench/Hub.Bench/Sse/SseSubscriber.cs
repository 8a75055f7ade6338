using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Hub.Bench.Measuring;

namespace Hub.Bench.Sse;

/// <summary>
/// One benchmark SSE connection: an async read loop over the raw response stream with a minimal parser (no
/// per-event strings, no thread of its own). It waits for data with a zero-byte read and only then rents a
/// buffer, so thousands of idle connections hold no read buffers. Like <c>EventSource</c> it reconnects
/// with <c>Last-Event-ID</c> when the server ends the stream, unless it was told to stay down
/// (<see cref="Drop"/>). It stops when the run's token is cancelled.
/// </summary>
public sealed class SseSubscriber(HttpClient client, Uri uri, bool readyOnHeaders, LatencySink latency)
{
    private const int BufferSize = 16 * 1024;
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private CancellationTokenSource? _connection;
    private TaskCompletionSource? _resume;

    // Parser state of the event being read, and the last event id (as bytes: it is only needed to reconnect).
    private byte[] _pendingId = new byte[64];
    private int _pendingIdLength = -1;
    private byte[] _lastId = new byte[64];
    private int _lastIdLength = -1;
    private bool _hasData;
    private bool _isReset;
    private int _publisher;
    private long _sequence;
    private long _timestamp;

    private int _catchUpPublisher;
    private long _catchUpTarget = long.MaxValue;
    private long _caughtUpAt;

    public DeliveryTracker Tracker { get; } = new();

    /// <summary>Completes once the subscription receives every later event.</summary>
    public Task Ready => _ready.Task;

    public bool IsConnected { get; private set; }

    /// <summary>Reconnects after the server ended the stream or a connection failed (not after <see cref="Drop"/>).</summary>
    public int Reconnects { get; private set; }

    public int Resets { get; private set; }

    public int Failures { get; private set; }

    public string? LastError { get; private set; }

    /// <summary><see cref="Stopwatch"/> timestamp at which the catch-up target was reached; 0 before.</summary>
    public long CaughtUpAt => Volatile.Read(ref _caughtUpAt);

    public async Task RunAsync(CancellationToken stop)
    {
        var retry = false;
        while (!stop.IsCancellationRequested)
        {
            Task? resume;
            lock (_gate)
                resume = _resume?.Task;
            if (resume is not null)
            {
                // A deliberate drop: reconnect at once when resumed, and do not count it as a reconnect.
                await resume.WaitAsync(stop).ConfigureAwait(false);
                retry = false;
                continue;
            }
            if (retry)
            {
                Reconnects++;
                await Task.Delay(RetryDelay, stop).ConfigureAwait(false);
            }
            retry = true;
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
            lock (_gate)
                _connection = connection;
            try
            {
                await ReadOnceAsync(connection.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Failures++;
                LastError = ex.Message;
            }
            finally
            {
                IsConnected = false;
                lock (_gate)
                    _connection = null;
            }
        }
    }

    /// <summary>Closes the connection and keeps it closed until <see cref="Resume"/>.</summary>
    public void Drop()
    {
        lock (_gate)
        {
            _resume ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connection?.Cancel();
        }
    }

    /// <summary>Reconnects with the last event id; <see cref="CaughtUpAt"/> is set once <paramref name="publisher"/>'s <paramref name="target"/> arrives.</summary>
    public void Resume(int publisher, long target)
    {
        _catchUpPublisher = publisher;
        Volatile.Write(ref _catchUpTarget, target);
        Volatile.Write(ref _caughtUpAt, 0);
        lock (_gate)
        {
            _resume?.TrySetResult();
            _resume = null;
        }
    }

    private async Task ReadOnceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(EventStream);
        if (_lastIdLength >= 0)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", Encoding.UTF8.GetString(_lastId, 0, _lastIdLength));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            Failures++;
            LastError = $"HTTP {(int)response.StatusCode}";
            return;
        }
        IsConnected = true;
        if (readyOnHeaders)
            _ready.TrySetResult();
        _pendingIdLength = -1;
        ResetEvent();

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[]? buffer = null;
        var filled = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    // Wait for data without holding a buffer: an idle connection then costs only its socket.
                    await stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
                else if (filled == buffer.Length)
                {
                    // A line longer than the buffer: grow, so large payloads still parse.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    return; // the server ended the stream
                filled += read;
                var consumed = Parse(buffer.AsSpan(0, filled));
                filled -= consumed;
                if (filled > 0)
                {
                    buffer.AsSpan(consumed, filled).CopyTo(buffer);
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        finally
        {
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles every complete line; returns the bytes consumed (a partial last line waits for more).</summary>
    private int Parse(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (true)
        {
            var newline = data[position..].IndexOf((byte)'\n');
            if (newline < 0)
                return position;
            var line = data.Slice(position, newline);
            position += newline + 1;
            // Hub and nchan end lines with LF; a CR before it (CRLF) is dropped. Bare CR is not handled.
            if (line.Length > 0 && line[^1] == (byte)'\r')
                line = line[..^1];
            HandleLine(line);
        }
    }

    private void HandleLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            Dispatch();
            return;
        }
        if (line[0] == (byte)':')
            return; // comment (keep-alive)
        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value.Length > 0 && value[0] == (byte)' ')
            value = value[1..];
        if (field.SequenceEqual("data"u8))
        {
            if (!_hasData)
                _hasData = Payload.TryParse(value, out _publisher, out _sequence, out _timestamp) || value.Length > 0;
        }
        else if (field.SequenceEqual("id"u8))
        {
            if (value.Length > _pendingId.Length)
                _pendingId = new byte[value.Length * 2];
            value.CopyTo(_pendingId);
            _pendingIdLength = value.Length;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _isReset = value.SequenceEqual("hub.reset"u8);
        }
    }

    /// <summary>The blank line: per the WHATWG algorithm the id takes effect even for a block without data.</summary>
    private void Dispatch()
    {
        if (_pendingIdLength >= 0)
        {
            (_lastId, _pendingId) = (_pendingId, _lastId);
            _lastIdLength = _pendingIdLength;
            _pendingIdLength = -1;
            if (!readyOnHeaders)
                _ready.TrySetResult(); // Hub's id-only block: the connection is attached to the live feed
        }
        if (_isReset)
            Resets++;
        else if (_hasData && _sequence > 0)
        {
            latency.Histogram.Record(Payload.MicrosecondsSince(_timestamp));
            var max = Tracker.Record(_publisher, _sequence);
            if (_publisher == _catchUpPublisher && max >= Volatile.Read(ref _catchUpTarget) && Volatile.Read(ref _caughtUpAt) == 0)
                Volatile.Write(ref _caughtUpAt, Stopwatch.GetTimestamp());
        }
        ResetEvent();
    }

    private void ResetEvent()
    {
        _hasData = false;
        _isReset = false;
        _sequence = 0;
    }
}
