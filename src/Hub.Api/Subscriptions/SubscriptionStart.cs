using Hub.Api.Cursors;

namespace Hub.Api.Subscriptions;

/// <summary>Where a new subscription begins: live, at the oldest retained event, or after a cursor.</summary>
public sealed record SubscriptionStart(SubscriptionStartKind Kind, IReadOnlyList<TopicPosition> Positions)
{
    public static readonly SubscriptionStart Live = new(SubscriptionStartKind.Live, []);

    public static readonly SubscriptionStart Earliest = new(SubscriptionStartKind.Earliest, []);

    public static SubscriptionStart After(IReadOnlyList<TopicPosition> positions) => new(SubscriptionStartKind.Cursor, positions);
}

public enum SubscriptionStartKind
{
    Live,
    Earliest,
    Cursor,
}
