namespace Hub.Grains.Contracts;

/// <summary>
/// A page of a topic's log read after a sequence, with the log's state at the moment of the read.
/// <see cref="Events"/> are consecutive and ascending.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EventPage(
    [property: Id(0)] TopicInfo Info,
    [property: Id(1)] IReadOnlyList<TopicEvent> Events);
