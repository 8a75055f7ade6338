namespace Hub.Grains.Contracts;

/// <summary>
/// An event as a publisher sends it, before the topic grain gives it a sequence. <see cref="Key"/> (null:
/// none) makes it a keyed event: the topic keeps its latest event per key beside the log (its state).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EventDraft(
    [property: Id(0)] string Type,
    [property: Id(1)] string Data,
    [property: Id(2)] string? Key = null);
