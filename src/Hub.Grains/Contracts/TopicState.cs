namespace Hub.Grains.Contracts;

/// <summary>
/// A topic's state: the latest event of every key it keeps (at most <c>Hub:Topics:MaxKeys</c>), oldest
/// first, read in one step with where the log stands (<see cref="Info"/>), so a reader that continues
/// after <c>Info.Head</c> misses nothing and sees none of these again. The events may be older than the
/// retained history: the state outlives trimming.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicState(
    [property: Id(0)] TopicInfo Info,
    [property: Id(1)] IReadOnlyList<TopicEvent> Events);
