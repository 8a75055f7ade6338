namespace Hub.Grains.Contracts;

/// <summary>The acknowledgement of one stored event: it is in the log when this is returned.</summary>
[GenerateSerializer, Immutable]
public sealed record PublishResult(
    [property: Id(0)] string Topic,
    [property: Id(1)] string Epoch,
    [property: Id(2)] long Sequence);
