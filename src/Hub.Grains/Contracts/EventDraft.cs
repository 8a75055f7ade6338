namespace Hub.Grains.Contracts;

/// <summary>An event as a publisher sends it, before the topic grain gives it a sequence.</summary>
[GenerateSerializer, Immutable]
public sealed record EventDraft(
    [property: Id(0)] string Type,
    [property: Id(1)] string Data);
