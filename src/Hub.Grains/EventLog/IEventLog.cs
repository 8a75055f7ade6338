using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// The authoritative, bounded history of every topic.
/// <list type="bullet">
/// <item>Ordering: a topic's events have consecutive sequences 1, 2, 3, … within one epoch.</item>
/// <item>Atomicity: <see cref="AppendAsync"/> stores all of its events or none, and only when the
/// topic's head is still the one the writer expects, so a stale second writer (a duplicate grain
/// activation) can never store a second event under a sequence that is taken.</item>
/// <item>Retention: the oldest events are dropped once a topic holds more than its count limit or they
/// are older than its age limit; reads never return a dropped event, and <see cref="TopicInfo.Oldest"/>
/// says where the retained history begins.</item>
/// <item>State: an event with a key becomes that key's latest event in the same atomic step that stores
/// it; a topic keeps the latest event of at most <see cref="TopicStateOptions.MaxKeys"/> keys (the key
/// whose latest event is oldest is dropped first), independent of retention, and a new epoch forgets them.</item>
/// <item>Epoch: a short opaque string fixed when a topic's log is created, by its first append. If the
/// log is lost (or expired) the next append creates a new epoch, so cursors from before are recognisably
/// stale.</item>
/// <item>End of life: once all of a topic's events have aged out (<see cref="RetentionLimits.MaxAge"/>)
/// and none of its idempotency records is within its window, the log may forget the topic entirely,
/// state included: it then answers like a topic never written (head 0, in an epoch other than any of
/// its past lives), and its next append starts a new life at sequence 1.</item>
/// <item>Reads create nothing: a topic no append has created answers head 0 and no events, with an epoch
/// that names no life yet (a log may answer a different one per read); an append expecting head 0 in the
/// epoch it read creates the topic in that epoch. A log may instead refuse it (a conflict: the writer
/// rereads) when that epoch could name an earlier life of the topic, as the in-memory log does once a
/// sweep has forgotten topics since the read.</item>
/// </list>
/// </summary>
public interface IEventLog
{
    /// <summary>The topic's epoch, head and oldest retained sequence; stores nothing for a topic it does not hold.</summary>
    Task<TopicInfo> GetInfoAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="drafts"/> with sequences <c>expectedHead + 1</c> onwards, stamped with
    /// <paramref name="time"/>. Throws <see cref="SequenceConflictException"/> when the topic's head or
    /// epoch is no longer <paramref name="expectedHead"/> / <paramref name="expectedEpoch"/>. A
    /// <see cref="ValueTask{TResult}"/>: the in-memory log answers at once, and every publish comes here.
    /// </summary>
    ValueTask<IReadOnlyList<TopicEvent>> AppendAsync(
        string topic,
        string expectedEpoch,
        long expectedHead,
        IReadOnlyList<EventDraft> drafts,
        DateTimeOffset time,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="AppendAsync"/> for publishes that may carry an idempotency key. <paramref name="claims"/>
    /// split <paramref name="drafts"/> in order, one claim per publish. A claim whose key the topic
    /// recorded in its current epoch within <paramref name="window"/> stores nothing, and its
    /// <see cref="IdempotentAppend.Replays"/> entry is that record; any other claim's drafts are stored
    /// (consecutive sequences from <c>expectedHead + 1</c>, skipping nothing) and its key recorded in the
    /// same atomic step, so a key is recorded exactly when its events are stored. A later claim of the
    /// same call sees an earlier one's record. Records are kept for the window's duration and at most its
    /// key count per topic, the oldest dropped first; a new epoch forgets them (its events are gone too).
    /// </summary>
    Task<IdempotentAppend> AppendIdempotentAsync(
        string topic,
        string expectedEpoch,
        long expectedHead,
        IReadOnlyList<EventDraft> drafts,
        IReadOnlyList<AppendClaim> claims,
        IdempotencyWindow window,
        DateTimeOffset time,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a new epoch for <paramref name="topic"/> because its log lost events a writer had stored
    /// (the head went back within <paramref name="lostEpoch"/>, as after a Redis restored from an
    /// append-only file that missed its last second). What is left of that epoch is dropped: its
    /// sequences would otherwise be given to new events, which subscribers past them would skip as
    /// already delivered. Cursors naming the lost epoch are then answered with a reset. Does nothing when
    /// the topic has left <paramref name="lostEpoch"/> already. Returns the topic's state afterwards.
    /// </summary>
    Task<TopicInfo> RenewEpochAsync(string topic, string lostEpoch, CancellationToken cancellationToken = default);

    /// <summary>The topic's state (the latest event of every key, oldest first) and where the log stands, read in one step.</summary>
    Task<TopicState> ReadStateAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> retained events with a sequence above <paramref name="afterSequence"/>, ascending.</summary>
    Task<EventPage> ReadAfterAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default);
}
