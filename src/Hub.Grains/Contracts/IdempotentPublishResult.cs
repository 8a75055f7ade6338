namespace Hub.Grains.Contracts;

/// <summary>
/// The acknowledgement of a publish made with an idempotency key: the stored events' results, and
/// whether they were stored by an earlier publish with the same key (a retry) rather than by this one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IdempotentPublishResult(
    [property: Id(0)] IReadOnlyList<PublishResult> Results,
    [property: Id(1)] bool Replayed);
