using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Sse;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;

namespace Hub.Api.Mercure;

/// <summary>
/// History for a Mercure connection while it is <see cref="SseConnectionState.Replaying"/>: finds where a
/// <c>Last-Event-ID</c> points in the update log, and writes what follows through the connection's
/// framing (so only updates the subscriber may see go out). The connection is attached to the node's
/// feed before any of this, so nothing published meanwhile is missed: going live, it catches up from
/// the feed's ring, exactly as a native subscription does.
/// </summary>
public sealed partial class MercureReplay(SseConnection connection, IGrainFactory grains, HubMetrics metrics, ILogger logger)
{
    private TopicFeed Feed => connection.Feeds[0];

    private ITopicGrain Log => grains.GetGrain<ITopicGrain>(MercureLog.Topic);

    /// <summary>
    /// The position just after the update <paramref name="lastEventId"/> (the newest one with that id,
    /// should a publisher have reused it), the position before the oldest retained update for
    /// <c>earliest</c>, or null when the id is not in the retained history. Mercure answers an unknown id
    /// by replaying nothing, and so does this hub; the response then says <c>Last-Event-ID: earliest</c>,
    /// which is Mercure's signal that the client should fetch the state afresh.
    /// </summary>
    public async Task<TopicPosition?> LocateAsync(string lastEventId)
    {
        ArgumentNullException.ThrowIfNull(lastEventId);
        if (lastEventId == MercureLog.Earliest)
        {
            var info = await Log.GetInfoAsync();
            return new TopicPosition(info.Epoch, info.Oldest - 1);
        }
        // The node's recent updates first: a reconnect asks for something recent, and needs no log read.
        var live = connection.Positions[0];
        var oldestHeld = Feed.OldestHeld;
        if (oldestHeld > 0)
        {
            var recent = new List<FormattedEvent>();
            if (Feed.ReadAfter(new TopicPosition(live.Epoch, oldestHeld - 1), recent) == FeedRead.Served)
            {
                for (var k = recent.Count - 1; k >= 0; k--)
                {
                    if (MercureUpdate.Of(recent[k])?.Id == lastEventId)
                        return PositionOf(recent[k]);
                }
            }
        }
        // Then the retained log, oldest first, in pages the node reads and decodes once for every resuming
        // client. The id is stored inside its update, so there is no separate index that could disagree.
        var start = await Log.GetInfoAsync();
        var position = new TopicPosition(start.Epoch, start.Oldest - 1);
        TopicPosition? found = null;
        while (true)
        {
            var (info, events) = await Feed.ReadHistoryAsync(position);
            if (events.Count == 0 || info.Epoch != position.Epoch || events[^1].Sequence <= position.Sequence)
                break;
            foreach (var formatted in events)
            {
                if (MercureUpdate.Of(formatted)?.Id == lastEventId)
                    found = PositionOf(formatted);
            }
            position = PositionOf(events[^1]);
        }
        return found;
    }

    /// <summary>
    /// Writes the retained updates after the connection's position, page by page, flushing after each.
    /// Mercure has no reset event: when the position is no longer in the retained history (retention
    /// passed it, or the log was lost and restarted in a new epoch), the replay goes on from the oldest
    /// retained update, and the node logs it.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var info = await Log.GetInfoAsync();
        while (true)
        {
            if (!CheckPosition(info))
                continue;
            var position = connection.Positions[0];
            if (position.Sequence >= info.Head)
                break;
            var (pageInfo, events) = await Feed.ReadHistoryAsync(position);
            info = pageInfo;
            if (events.Count == 0 || events[0].Sequence != position.Sequence + 1 || info.Epoch != position.Epoch)
            {
                if (CheckPosition(info))
                    break; // nothing more to read now; the feed delivers what comes next
                continue;
            }
            var written = connection.WriteReplayed(0, events);
            metrics.Delivered(written);
            if (!await connection.FlushReplayedAsync(cancellationToken))
                return;
        }
        await connection.FlushReplayedAsync(cancellationToken);
    }

    /// <summary>True when the position lies in <paramref name="info"/>'s retained history; else moves it before the oldest retained update.</summary>
    private bool CheckPosition(TopicInfo info)
    {
        var position = connection.Positions[0];
        if (position.Epoch == info.Epoch && position.Sequence >= info.Oldest - 1 && position.Sequence <= info.Head)
            return true;
        LogSkipped(logger, connection.Id, position.Epoch, position.Sequence, info.Epoch, info.Oldest);
        connection.Positions[0] = new TopicPosition(info.Epoch, info.Oldest - 1);
        return false;
    }

    private static TopicPosition PositionOf(FormattedEvent formatted) => new(formatted.Epoch, formatted.Sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mercure connection {ConnectionId}: the update log no longer holds what follows {Epoch}/{Sequence}; continuing from {NewEpoch}/{Oldest} (Mercure has no reset event)")]
    private static partial void LogSkipped(ILogger logger, long connectionId, string epoch, long sequence, string newEpoch, long oldest);
}
