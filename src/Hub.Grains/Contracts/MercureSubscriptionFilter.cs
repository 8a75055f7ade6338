namespace Hub.Grains.Contracts;

/// <summary>
/// Which subscriptions a listing asks for: all (both null), those of one topic selector (compared
/// byte for byte, as Mercure does), or one subscriber's subscription to one selector.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MercureSubscriptionFilter(
    [property: Id(0)] string? Topic,
    [property: Id(1)] string? Subscriber)
{
    public static readonly MercureSubscriptionFilter All = new(null, null);

    public bool Matches(string topic, string subscriber) =>
        (Topic is null || string.Equals(Topic, topic, StringComparison.Ordinal))
        && (Subscriber is null || string.Equals(Subscriber, subscriber, StringComparison.Ordinal));
}
