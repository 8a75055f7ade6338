using Hub.Api.Cursors;

namespace Hub.Api.Subscriptions;

/// <summary>Where a new subscription begins: live, at the oldest retained event, after a cursor, or rewound.</summary>
public sealed record SubscriptionStart(SubscriptionStartKind Kind, IReadOnlyList<TopicPosition> Positions, Rewind? Rewind = null)
{
    public static readonly SubscriptionStart Live = new(SubscriptionStartKind.Live, []);

    public static readonly SubscriptionStart Earliest = new(SubscriptionStartKind.Earliest, []);

    public static SubscriptionStart After(IReadOnlyList<TopicPosition> positions) => new(SubscriptionStartKind.Cursor, positions);

    /// <summary>A rewind: each topic's starting cursor is computed from its log (<see cref="SseReplay"/>).</summary>
    public static SubscriptionStart Rewound(Rewind rewind) => new(SubscriptionStartKind.Rewind, [], rewind);
}

public enum SubscriptionStartKind
{
    Live,
    Earliest,
    Cursor,
    Rewind,
}
