using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Hub.Client.Http;

namespace Hub.Client.Subscribing;

/// <summary>
/// A subscription to one or more topics over one SSE connection, as an <see cref="IAsyncEnumerable{T}"/> of
/// <see cref="HubEvent"/>. It reconnects by itself after a cut connection or a drained node, sending the last
/// cursor as <c>Last-Event-ID</c> so the hub resumes every topic exactly after the last event received:
/// nothing is missed or repeated. It waits the hub's <c>retry:</c> delay after a clean end, and backs off
/// with jitter while the hub is unreachable or answers 503/429. A 4xx (a bad cursor, a token refused) ends it
/// with a <see cref="HubProblemException"/>; cancellation ends it without an exception.
/// </summary>
public sealed class HubSubscription : IAsyncEnumerable<HubEvent>
{
    private readonly HubRequests _requests;
    private readonly SubscribeFrom _from;
    private readonly CancellationToken _cancellation;
    private volatile string? _cursor;
    // Before a rewound subscription's first event: every topic at its head, where a topic the rewind
    // replays nothing of starts, so the first event's topic is the one whose position differs.
    private string? _rewindGuess;
    private int _connections;
    private volatile SubscriptionState _state;
    private volatile string? _lastFailure;

    internal HubSubscription(HubRequests requests, IEnumerable<string> topics, SubscribeFrom from, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(topics);
        // The hub orders a subscription's topics ordinally; the cursor lists positions in that order.
        Topics = [.. topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (Topics.Count == 0)
            throw new ArgumentException("Name at least one topic.", nameof(topics));
        _requests = requests;
        _from = from;
        _cancellation = cancellation;
        _cursor = from.Cursor;
    }

    /// <summary>The topics, in the hub's (ordinal) order.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>
    /// Where this subscription resumes, for every topic: the id of the last event received (or of the hub's
    /// handover marker). Persist it and pass it to <see cref="SubscribeFrom.After"/> to continue after a restart.
    /// </summary>
    public string? Cursor => _cursor;

    /// <summary>How many times a stream was opened (1 plus the reconnects so far).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Where the subscription is now: connecting, streaming, waiting to reconnect, or ended.</summary>
    public SubscriptionState State => _state;

    /// <summary>Why the last connection ended or could not be opened (null until one did): for logs and status pages.</summary>
    public string? LastFailure => _lastFailure;

    /// <inheritdoc />
    public IAsyncEnumerator<HubEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        RunAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<HubEvent> RunAsync([EnumeratorCancellation] CancellationToken enumeration)
    {
        _state = SubscriptionState.Connecting;
        try
        {
            await foreach (var e in StreamAsync(enumeration))
                yield return e;
        }
        finally
        {
            _state = SubscriptionState.Ended;
        }
    }

    private async IAsyncEnumerable<HubEvent> StreamAsync([EnumeratorCancellation] CancellationToken enumeration)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellation, enumeration);
        var ct = linked.Token;
        var backoff = new Backoff(_requests.Options.InitialBackoff, _requests.Options.MaxBackoff);
        if (_cursor is null && !await TryStartCursorAsync(ct))
            yield break;
        var positions = CursorPositions.Decode(_cursor ?? _rewindGuess, Topics.Count);
        while (!ct.IsCancellationRequested)
        {
            TimeSpan delay;
            using (var response = await ConnectAsync(ct))
            {
                if (response is null)
                    yield break; // cancelled
                if (!response.IsSuccessStatusCode)
                {
                    _lastFailure = $"answered {(int)response.StatusCode}";
                    delay = Backoff.AtLeastRetryAfter(backoff.Next(), response.Headers.RetryAfter);
                }
                else
                {
                    Interlocked.Increment(ref _connections);
                    _state = SubscriptionState.Streaming;
                    await using var stream = new SilenceWatchedStream(await response.Content.ReadAsStreamAsync(ct), _requests.Options.SilenceTimeout, ct);
                    var parser = SseParser.Create(stream, static (_, bytes) => Encoding.UTF8.GetString(bytes));
                    await using var items = parser.EnumerateAsync(stream.Token).GetAsyncEnumerator(stream.Token);
                    var cut = false;
                    while (true)
                    {
                        try
                        {
                            if (!await items.MoveNextAsync())
                                break;
                        }
                        catch (OperationCanceledException) when (ct.IsCancellationRequested)
                        {
                            yield break;
                        }
                        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                        {
                            cut = true; // the connection broke mid-stream, or went silent
                            _lastFailure = stream.WentSilent ? $"silent for {_requests.Options.SilenceTimeout}" : $"cut: {e.GetType().Name}: {e.Message}";
                            break;
                        }
                        backoff.Reset();
                        var item = items.Current;
                        var id = string.IsNullOrEmpty(item.EventId) ? _cursor : item.EventId;
                        var next = CursorPositions.Decode(id, Topics.Count);
                        var moved = CursorPositions.Moved(positions, next);
                        positions = next ?? positions;
                        _cursor = id;
                        if (item.Data.Length == 0)
                            continue; // the hub's id-only handover marker: a resume point, not an event
                        yield return ToEvent(item, id, moved, next);
                    }
                    // The id-only block after the handover sets the cursor without an event. Only from a stream
                    // that ended cleanly: SseParser takes an id: line as the last id as soon as it reads it, and a
                    // stream cut between an event's id: and its end would otherwise move the cursor past an
                    // event that never arrived, which the resume would then skip.
                    if (!cut && !string.IsNullOrEmpty(parser.LastEventId))
                    {
                        _cursor = parser.LastEventId;
                        positions = CursorPositions.Decode(_cursor, Topics.Count) ?? positions;
                    }
                    // A clean end (a draining node) waits the hub's retry: delay; a broken connection, or a
                    // stream that ended before any retry: field (the parser then says infinite), backs off.
                    if (!cut)
                        _lastFailure = "ended by the hub";
                    var retry = parser.ReconnectionInterval;
                    delay = cut || retry < TimeSpan.Zero ? backoff.Next() : retry;
                }
            }
            _state = SubscriptionState.WaitingToReconnect;
            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            _state = SubscriptionState.Connecting;
        }
    }

    private HubEvent ToEvent(SseItem<string> item, string? id, int moved, CursorPositions.Position[]? positions)
    {
        var topic = moved >= 0 ? Topics[moved] : null;
        if (item.EventType == HubResetEvent.ResetType)
        {
            try
            {
                using var data = JsonDocument.Parse(item.Data);
                var root = data.RootElement;
                return new HubResetEvent(root.GetProperty("topic").GetString() ?? topic, root.GetProperty("reason").GetString() ?? "",
                    root.GetProperty("resumedFrom").GetInt64(), item.Data, id);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return new HubResetEvent(topic, "unreadable", 0, item.Data, id);
            }
        }
        return new HubEvent(topic, moved >= 0 ? positions![moved].Sequence : null, item.EventType, item.Data, id);
    }

    /// <summary>
    /// Opens the stream from the current cursor, with a fresh token. Null when cancelled; a non-success
    /// response only when it is worth retrying; connection failures are retried here with back-off.
    /// </summary>
    private async Task<HttpResponseMessage?> ConnectAsync(CancellationToken ct)
    {
        var backoff = new Backoff(_requests.Options.InitialBackoff, _requests.Options.MaxBackoff);
        while (true)
        {
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, StreamUri());
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (_cursor is { } cursor && cursor != "earliest")
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", cursor);
                await _requests.AuthorizeAsync(request, ct);
                // The hub answers a subscribe with its headers at once; no answer within the silence timeout is
                // a connection that went nowhere (a node that accepted and froze): try again.
                using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
                silence.CancelAfter(_requests.Options.SilenceTimeout);
                response = await _requests.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, silence.Token);
                if (response.IsSuccessStatusCode || HubResponses.IsTransient(response.StatusCode))
                    return response;
                using (response)
                    throw await HubResponses.ProblemAsync(response, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                response?.Dispose();
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // The hub is unreachable (a node down, the network gone) or silent: try again, backing off.
                _lastFailure = e is OperationCanceledException ? $"no answer within {_requests.Options.SilenceTimeout}" : $"could not connect: {e.Message}";
            }
            try
            {
                await Task.Delay(backoff.Next(), ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private Uri StreamUri()
    {
        var query = string.Join('&', Topics.Select(t => "topic=" + Uri.EscapeDataString(t)));
        if (_cursor == "earliest")
            query += "&lastEventId=earliest";
        else if (_cursor is null && _from.Rewind is { } rewind)
            query += "&rewind=" + Uri.EscapeDataString(rewind); // a cursor, once there is one, wins at the hub anyway
        return _requests.Resolve("events?" + query);
    }

    /// <summary>
    /// Turns Live or Earliest into a cursor built from each topic's info, so even the first event says which
    /// topic it belongs to. Falls back to the hub's own start (no cursor, or "earliest") when a topic cannot be read.
    /// False when cancelled.
    /// </summary>
    private async Task<bool> TryStartCursorAsync(CancellationToken ct)
    {
        try
        {
            var positions = new CursorPositions.Position[Topics.Count];
            for (var i = 0; i < Topics.Count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, _requests.Resolve($"topics/{Uri.EscapeDataString(Topics[i])}"));
                request.Headers.Accept.ParseAdd("application/json");
                await _requests.AuthorizeAsync(request, ct);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_requests.Options.RequestTimeout);
                using var response = await _requests.Http.SendAsync(request, timeout.Token);
                response.EnsureSuccessStatusCode();
                var info = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                var epoch = info.GetProperty("epoch").GetString()!;
                var sequence = _from.IsEarliest ? info.GetProperty("oldest").GetInt64() - 1 : info.GetProperty("head").GetInt64();
                positions[i] = new CursorPositions.Position(epoch, sequence);
            }
            if (_from.Rewind is null)
                _cursor = CursorPositions.Encode(Topics, positions);
            else
                _rewindGuess = CursorPositions.Encode(Topics, positions);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _cursor = _from.IsEarliest ? "earliest" : null;
        }
        return true;
    }
}
