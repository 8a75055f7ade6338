namespace Hub.Grains.Contracts;

/// <summary>
/// The item carried on a topic's Orleans stream: the events of one log append, consecutive and in
/// order. Batching keeps a hot topic to one stream message per group commit instead of one per event.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EventBatch([property: Id(0)] IReadOnlyList<TopicEvent> Events);
