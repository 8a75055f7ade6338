using Hub.Api.Sse;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Something attached to topic feeds that wants to hear of their new events: an SSE connection, or a
/// long-poll waiting for the next event.
/// </summary>
public interface IFeedListener
{
    /// <summary>
    /// Called by <paramref name="feed"/> after it appended <paramref name="fresh"/> (consecutive events,
    /// already in its recent events) on the feed's delivery path. Must not block: an SSE connection
    /// copies the bytes into its response and flushes, or leaves them for its pending flush to pick up.
    /// Returns the number of events written to a client, for the delivered-events count.
    /// </summary>
    int OnAdvanced(TopicFeed feed, ReadOnlySpan<FormattedEvent> fresh);
}
