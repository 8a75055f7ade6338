namespace Hub.Grains.Contracts;

/// <summary>
/// One active Mercure subscription as the API node that holds it reports it: the topic selector the
/// subscriber used, the subscriber's id (a <c>urn:uuid:</c> per connection, shared by all its selectors)
/// and the <c>mercure.payload</c> of its token as JSON text (null when the token had none).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MercureSubscriptionRecord(
    [property: Id(0)] string Topic,
    [property: Id(1)] string Subscriber,
    [property: Id(2)] string? Payload);
