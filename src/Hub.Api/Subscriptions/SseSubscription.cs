using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Sse;
using Hub.Grains.Contracts;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Writes one subscription to its SSE response, exactly once and in per-topic order:
/// <list type="number">
/// <item>the connection is already attached to the live feeds (buffering in its queue);</item>
/// <item>each topic is replayed from the log after the client's position, with a <c>hub.reset</c> first
/// when that position can no longer be honoured;</item>
/// <item>the queue is drained, skipping what the replay already sent and fetching from the log anything
/// that a live event shows was skipped.</item>
/// </list>
/// Every position change is followed by an <c>id:</c>, so the browser's <c>Last-Event-ID</c> is always
/// the exact resume point.
/// </summary>
public sealed partial class SseSubscription(
    SseConnection connection,
    PipeWriter output,
    IGrainFactory grains,
    SseOptions options,
    HubMetrics metrics,
    ILogger logger)
{
    /// <summary>Flush at least this often while draining a backlog, so a busy stream still moves.</summary>
    private const int FlushThresholdBytes = 32 * 1024;

    private readonly TopicSet _set = connection.Topics;
    private readonly TopicPosition[] _positions = new TopicPosition[connection.Topics.Count];
    private int _unflushed;
    private int _eventsSinceFlush;
    private TopicEvent? _newestLive;

    public async Task RunAsync(SubscriptionStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        // Every position is set before any event is written: each id line carries all topics' positions, so
        // an id written while replaying the first topic must already hold a real position for the others
        // (the client's own, or where they start), or a client that reconnects from it would lose them.
        var infos = new TopicInfo?[_set.Count];
        for (var i = 0; i < _set.Count; i++)
        {
            switch (start.Kind)
            {
                case SubscriptionStartKind.Live:
                    // Where the node's feed stood when this connection joined it; everything later is in the queue.
                    _positions[i] = connection.LiveStart[i];
                    break;
                case SubscriptionStartKind.Cursor:
                    _positions[i] = start.Positions[i];
                    break;
                default:
                    var info = await Grain(i).GetInfoAsync();
                    infos[i] = info;
                    _positions[i] = new TopicPosition(info.Epoch, info.Oldest - 1);
                    break;
            }
        }
        if (start.Kind != SubscriptionStartKind.Live)
        {
            for (var i = 0; i < _set.Count; i++)
            {
                if (infos[i] is not null || !ReplayFromNode(i, connection.Feeds[i]))
                    await CatchUpAsync(i, infos[i], long.MaxValue);
            }
        }
        // An id-only event moves the browser's Last-Event-ID without firing a message event (WHATWG SSE,
        // "dispatch the event" step 1), so even a client that has received nothing yet resumes exactly.
        WriteIdOnly();
        if (!await FlushAsync(cancellationToken))
            return;

        var queue = connection.Queue;
        while (await queue.WaitToReadAsync(cancellationToken))
        {
            while (queue.TryRead(out var item))
            {
                if (item is null)
                    Write(SseFormat.KeepAlive);
                else if (!TryDeliver(item))
                    await RepairThenDeliverAsync(item);
                if (_unflushed >= FlushThresholdBytes && !await FlushAsync(cancellationToken))
                    return;
            }
            if (!await FlushAsync(cancellationToken))
                return;
        }
    }

    /// <summary>
    /// Writes a live event when it is the next one of its topic (the hot path: synchronous, no
    /// allocation); false when the log must first fill a gap or a new epoch is seen.
    /// </summary>
    private bool TryDeliver(FormattedEvent formatted)
    {
        var e = formatted.Event;
        var i = _set.Count == 1 ? 0 : _set.IndexOf(e.Topic);
        if (i < 0)
            return true;
        var position = _positions[i];
        if (e.Epoch == position.Epoch && e.Sequence <= position.Sequence)
            return true; // the replay sent it already
        if (e.Epoch != position.Epoch || e.Sequence > position.Sequence + 1)
            return false;
        _positions[i] = new TopicPosition(e.Epoch, e.Sequence);
        WriteEvent(formatted);
        _newestLive = e;
        return true;
    }

    /// <summary>Fetches what the live path skipped from the log, then writes the event if it still follows.</summary>
    private async Task RepairThenDeliverAsync(FormattedEvent formatted)
    {
        metrics.GapRepaired("connection");
        var e = formatted.Event;
        await CatchUpAsync(_set.Count == 1 ? 0 : _set.IndexOf(e.Topic), null, e.Sequence);
        TryDeliver(formatted);
    }

    /// <summary>
    /// Serves a resume from the events the node still holds, when they reach back to the client's
    /// position: the common reconnect costs no log read and no formatting.
    /// </summary>
    private bool ReplayFromNode(int i, TopicFeed feed)
    {
        var recent = new List<FormattedEvent>();
        if (!feed.TryCopyRecent(_positions[i], recent))
            return false;
        foreach (var formatted in recent)
        {
            _positions[i] = new TopicPosition(formatted.Event.Epoch, formatted.Event.Sequence);
            WriteEvent(formatted);
        }
        return true;
    }

    /// <summary>
    /// Sends topic <paramref name="i"/>'s retained events after its position, up to (not including)
    /// <paramref name="until"/>, preceded by a reset when the position is not in the retained history.
    /// </summary>
    private async Task CatchUpAsync(int i, TopicInfo? info, long until)
    {
        info ??= await Grain(i).GetInfoAsync();
        while (true)
        {
            if (!CheckPosition(i, info))
                continue;
            var position = _positions[i];
            if (position.Sequence >= info.Head || position.Sequence + 1 >= until)
                return;
            var want = (int)Math.Min(options.ReplayPageSize, until - position.Sequence - 1);
            var page = await Grain(i).ReadAfterAsync(position.Sequence, want);
            info = page.Info;
            // Retention may have moved past us while we read (a slow replay of a hot topic): check again.
            if (page.Events.Count == 0 || page.Events[0].Sequence != position.Sequence + 1 || page.Info.Epoch != position.Epoch)
            {
                if (CheckPosition(i, info))
                    return; // nothing more to read now; a later live event or head check continues
                continue;
            }
            foreach (var e in page.Events)
            {
                _positions[i] = new TopicPosition(e.Epoch, e.Sequence);
                var formatted = new FormattedEvent(e);
                WriteEvent(formatted);
            }
            if (_unflushed >= FlushThresholdBytes)
                await FlushAsync(connection.Closed);
        }
    }

    /// <summary>
    /// True when topic <paramref name="i"/>'s position lies in the retained history of
    /// <paramref name="info"/>; otherwise sends a reset, moves the position to just before the oldest
    /// retained event and returns false.
    /// </summary>
    private bool CheckPosition(int i, TopicInfo info)
    {
        var position = _positions[i];
        string reason;
        if (position.Epoch != info.Epoch)
            reason = "epoch-changed";
        else if (position.Sequence < info.Oldest - 1)
            reason = "retention";
        else if (position.Sequence > info.Head)
            reason = "unknown-position";
        else
            return true;

        _positions[i] = new TopicPosition(info.Epoch, info.Oldest - 1);
        LogReset(logger, connection.Id, info.Topic, reason, position.Epoch, position.Sequence, info.Oldest);
        metrics.Reset(reason);
        var data = JsonSerializer.Serialize(new ResetData(info.Topic, reason, info.Oldest), HubJsonContext.Default.ResetData);
        Write(SseFormat.IdLine(Cursor.Encode(_set, _positions)));
        Write(SseFormat.EventBody(HubEventTypes.Reset, data));
        return false;
    }

    private void WriteIdOnly()
    {
        Write(SseFormat.IdLine(Cursor.Encode(_set, _positions)));
        Write("\n"u8);
    }

    /// <summary>
    /// The event's id line (for the positions just updated) and its shared body, copied into one span of
    /// the response: one buffer request per event, which on a chunked HTTP/1.1 response also means one
    /// chunk-space reservation instead of two.
    /// </summary>
    private void WriteEvent(FormattedEvent formatted)
    {
        var id = formatted.IdLineFor(_set, _positions);
        var body = formatted.Body;
        var span = output.GetSpan(id.Length + body.Length);
        id.CopyTo(span);
        body.CopyTo(span[id.Length..]);
        output.Advance(id.Length + body.Length);
        _unflushed += id.Length + body.Length;
        _eventsSinceFlush++;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _unflushed += bytes.Length;
    }

    /// <summary>False when the client is gone.</summary>
    private async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        _unflushed = 0;
        if (_eventsSinceFlush > 0)
        {
            metrics.Delivered(_eventsSinceFlush);
            _eventsSinceFlush = 0;
        }
        if (_newestLive is not null)
        {
            // One lag sample per write, for its newest live event: the histogram then costs per flush,
            // not per event, on the hot path; under load a write carries several events.
            metrics.DeliveryLag(DateTimeOffset.UtcNow - _newestLive.Time);
            _newestLive = null;
        }
        connection.LastWrite = Environment.TickCount64;
        var result = await output.FlushAsync(cancellationToken);
        return !result.IsCompleted && !result.IsCanceled;
    }

    private ITopicGrain Grain(int i) => grains.GetGrain<ITopicGrain>(_set.Topics[i]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: reset topic {Topic} ({Reason}); the client was at {Epoch}/{Sequence}, continuing from {ResumedFrom}")]
    private static partial void LogReset(ILogger logger, long connectionId, string topic, string reason, string epoch, long sequence, long resumedFrom);
}
