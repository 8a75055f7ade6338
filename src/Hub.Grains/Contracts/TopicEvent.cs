namespace Hub.Grains.Contracts;

/// <summary>
/// One stored event of a topic. <see cref="Sequence"/> starts at 1 and has no gaps within an
/// <see cref="Epoch"/>; a new epoch means the topic's log was lost and sequences restarted.
/// <see cref="Key"/> is the publisher's key of a keyed event, else null.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicEvent(
    [property: Id(0)] string Topic,
    [property: Id(1)] string Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] string Type,
    [property: Id(4)] string Data,
    [property: Id(5)] DateTimeOffset Time,
    [property: Id(6)] string? Key = null);
