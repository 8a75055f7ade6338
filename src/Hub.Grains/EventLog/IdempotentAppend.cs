using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// The outcome of <see cref="IEventLog.AppendIdempotentAsync"/>: the events stored now (consecutive,
/// possibly none), and for each claim the earlier record that took its place, or null where the
/// claim's drafts are among <paramref name="Events"/>.
/// </summary>
public sealed record IdempotentAppend(IReadOnlyList<TopicEvent> Events, IReadOnlyList<IdempotencyRecord?> Replays);
