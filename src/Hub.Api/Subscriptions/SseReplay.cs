using System.Text.Json;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Sse;
using Hub.Grains.Contracts;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Writes history into a connection that is <see cref="SseConnectionState.Replaying"/>, exactly once and
/// in per-topic order, before it goes live:
/// <list type="number">
/// <item>the connection is already attached to the live feeds (they hold what arrives meanwhile);</item>
/// <item>each topic is replayed after the client's position, from the node's recent events when they
/// reach back that far, else from the log, with a <c>hub.reset</c> first when that position can no
/// longer be honoured;</item>
/// <item>going live, the connection catches up from the feeds what they delivered during the replay.</item>
/// </list>
/// Every position change is followed by an <c>id:</c>, so the browser's <c>Last-Event-ID</c> is always
/// the exact resume point.
/// </summary>
public sealed partial class SseReplay(
    SseConnection connection,
    IGrainFactory grains,
    HubMetrics metrics,
    ILogger logger)
{
    private readonly TopicSet _set = connection.Topics;

    /// <summary>Sets every topic's starting position and replays what the client is missing.</summary>
    public async Task StartAsync(SubscriptionStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        // Every position is set before any event is written: each id line carries all topics' positions, so
        // an id written while replaying the first topic must already hold a real position for the others
        // (the client's own, or where they start), or a client that reconnects from it would lose them.
        var infos = new TopicInfo?[_set.Count];
        var states = new TopicState?[_set.Count];
        for (var i = 0; i < _set.Count; i++)
        {
            switch (start.Kind)
            {
                case SubscriptionStartKind.Live:
                    break; // where the node's feed stood when the connection joined it (set on attach)
                case SubscriptionStartKind.Cursor:
                    connection.Positions[i] = start.Positions[i];
                    break;
                case SubscriptionStartKind.Rewind when start.Rewind!.State:
                    // Until its state is written, a topic stands just before its oldest state event: an id
                    // written meanwhile (another topic's) resumes it with all of its state still to come.
                    var state = await Grain(i).GetStateAsync();
                    states[i] = state;
                    connection.Positions[i] = BeforeState(state);
                    break;
                case SubscriptionStartKind.Rewind:
                    // A rewind is a cursor computed here; from it on, the replay is an ordinary resume.
                    var rewound = await Grain(i).GetInfoAsync();
                    var position = await RewindPositionAsync(i, rewound, start.Rewind!);
                    connection.Positions[i] = position;
                    break;
                default:
                    var info = await Grain(i).GetInfoAsync();
                    infos[i] = info;
                    connection.Positions[i] = new TopicPosition(info.Epoch, info.Oldest - 1);
                    break;
            }
        }
        if (start.Kind != SubscriptionStartKind.Live)
        {
            for (var i = 0; i < _set.Count; i++)
            {
                if (states[i] is { } state)
                    WriteState(i, state);
                if (infos[i] is not null || !ReplayFromNode(i))
                    await CatchUpAsync(i, infos[i], cancellationToken);
            }
        }
        // An id-only event moves the browser's Last-Event-ID without firing a message event (WHATWG SSE,
        // "dispatch the event" step 1), so even a client that has received nothing yet resumes exactly.
        connection.WriteIdOnly();
        await connection.FlushReplayedAsync(cancellationToken);
    }

    /// <summary>
    /// Serves a resume from the events the node still holds, when they reach back to the client's
    /// position: the common reconnect costs no log read and no formatting.
    /// </summary>
    private bool ReplayFromNode(int i)
    {
        var feed = connection.Feeds[i];
        var recent = new List<FormattedEvent>();
        if (feed.ReadAfter(connection.Positions[i], recent, feed.ResumableSince) != FeedRead.Served)
            return false;
        connection.WriteReplayed(i, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(recent));
        metrics.Delivered(recent.Count);
        return true;
    }

    /// <summary>
    /// Sends topic <paramref name="i"/>'s retained events after its position from the log (pages read and
    /// formatted once per node), preceded by a reset when the position is not in the retained history;
    /// flushes after every page.
    /// </summary>
    public async Task CatchUpAsync(int i, TopicInfo? info, CancellationToken cancellationToken)
    {
        info ??= await Grain(i).GetInfoAsync();
        while (true)
        {
            (var retained, info) = await CheckPositionAsync(i, info);
            if (!retained)
                continue;
            var position = connection.Positions[i];
            if (position.Sequence >= info.Head)
                break;
            var (pageInfo, events) = await connection.Feeds[i].ReadHistoryAsync(position);
            info = pageInfo;
            // Retention may have moved past us while we read (a slow replay of a hot topic): check again.
            if (events.Count == 0 || events[0].Sequence != position.Sequence + 1 || info.Epoch != position.Epoch)
            {
                (retained, info) = await CheckPositionAsync(i, info);
                if (retained)
                    break; // nothing more to read now; the feed delivers what comes next
                continue;
            }
            connection.WriteReplayed(i, events);
            metrics.Delivered(events.Count);
            if (!await connection.FlushReplayedAsync(cancellationToken))
                return;
        }
        await connection.FlushReplayedAsync(cancellationToken);
    }

    /// <summary>
    /// True when topic <paramref name="i"/>'s position lies in the retained history of
    /// <paramref name="info"/>. Otherwise sends a <c>hub.reset</c> and returns false with where the topic
    /// now stands: a topic without state continues from its oldest retained event; a keyed topic
    /// continues with its state (the latest event of every key, oldest first, real ids), then after the
    /// head the state was read at — so a status board that was away too long comes back current, with
    /// nothing to reload. The reset's data says which (<see cref="ResetData"/>).
    /// </summary>
    private async Task<(bool Retained, TopicInfo Info)> CheckPositionAsync(int i, TopicInfo info)
    {
        var position = connection.Positions[i];
        if (position.Sequence == 0 && position.Epoch != info.Epoch)
        {
            // Nothing delivered yet: the position simply follows the topic into its current epoch.
            position = connection.Positions[i] = new TopicPosition(info.Epoch, 0);
        }
        string reason;
        if (position.Epoch != info.Epoch)
            reason = "epoch-changed";
        else if (position.Sequence < info.Oldest - 1)
            reason = "retention";
        else if (position.Sequence > info.Head)
            reason = "unknown-position";
        else
            return (true, info);

        var state = await Grain(i).GetStateAsync();
        var keyed = state.Events.Count > 0;
        if (keyed)
            info = state.Info;
        connection.Positions[i] = keyed ? BeforeState(state) : new TopicPosition(info.Epoch, info.Oldest - 1);
        var resumedFrom = keyed ? info.Head + 1 : info.Oldest;
        LogReset(logger, connection.Id, info.Topic, reason, position.Epoch, position.Sequence, resumedFrom);
        metrics.Reset(reason);
        var data = JsonSerializer.Serialize(new ResetData(info.Topic, reason, resumedFrom, keyed ? state.Events.Count : null), HubJsonContext.Default.ResetData);
        connection.WriteIdLine();
        connection.WriteRaw(SseFormat.EventBody(HubEventTypes.Reset, data));
        if (keyed)
            WriteState(i, state);
        return (false, info);
    }

    /// <summary>Where topic <paramref name="i"/> stands before its state is written: just before its oldest state event (or at the head when it has none).</summary>
    private static TopicPosition BeforeState(TopicState state) =>
        new(state.Info.Epoch, state.Events.Count > 0 ? state.Events[0].Sequence - 1 : state.Info.Head);

    /// <summary>
    /// Writes topic <paramref name="i"/>'s state events with their real ids, then moves the position to the
    /// head the state was read at: the events between are unkeyed or superseded, and the replay goes on
    /// after that head exactly as any resume.
    /// </summary>
    private void WriteState(int i, TopicState state)
    {
        var formatted = new FormattedEvent[state.Events.Count];
        for (var k = 0; k < formatted.Length; k++)
            formatted[k] = new FormattedEvent(state.Events[k]);
        connection.WriteReplayed(i, formatted);
        metrics.Delivered(formatted.Length);
        connection.Positions[i] = new TopicPosition(state.Info.Epoch, state.Info.Head);
    }

    /// <summary>
    /// The cursor a rewind starts topic <paramref name="i"/> from: just before the last N retained events,
    /// or just before the first retained event no older than the rewind's duration. Event times never
    /// decrease within a topic (the logs make sure), so the latter is a binary search over sequences,
    /// each probe a page read shared with every other replay on this node (<see cref="HistoryPages"/>).
    /// </summary>
    private async Task<TopicPosition> RewindPositionAsync(int i, TopicInfo info, Rewind rewind)
    {
        if (!rewind.ByTime)
            return new TopicPosition(info.Epoch, Math.Max(info.Oldest - 1, info.Head - rewind.Count));
        var cutoff = DateTimeOffset.UtcNow - rewind.Within;
        // Invariant: every event up to lo is older than the cutoff (or gone), the event hi + 1 is not (or does not exist yet).
        long lo = info.Oldest - 1, hi = info.Head;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            var (_, events) = await connection.Feeds[i].ReadHistoryAsync(new TopicPosition(info.Epoch, mid));
            // The probe asks for event mid + 1; one gone meanwhile (retention) counts as old.
            if (events.Count == 0 || events[0].Sequence != mid + 1 || events[0].Epoch != info.Epoch || events[0].Time < cutoff)
                lo = mid + 1;
            else
                hi = mid;
        }
        return new TopicPosition(info.Epoch, lo);
    }

    private ITopicGrain Grain(int i) => grains.GetGrain<ITopicGrain>(_set.Topics[i]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: reset topic {Topic} ({Reason}); the client was at {Epoch}/{Sequence}, continuing from {ResumedFrom}")]
    private static partial void LogReset(ILogger logger, long connectionId, string topic, string reason, string epoch, long sequence, long resumedFrom);
}
