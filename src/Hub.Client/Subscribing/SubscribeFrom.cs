namespace Hub.Client.Subscribing;

/// <summary>Where a subscription starts: <see cref="Live"/>, <see cref="Earliest"/> retained event, or just after a cursor.</summary>
public readonly record struct SubscribeFrom
{
    private SubscribeFrom(string? cursor, bool earliest)
    {
        Cursor = cursor;
        IsEarliest = earliest;
    }

    /// <summary>Only events published from now on.</summary>
    public static SubscribeFrom Live => default;

    /// <summary>All retained history, then live.</summary>
    public static SubscribeFrom Earliest => new(null, true);

    /// <summary>Just after a cursor saved earlier (<see cref="HubSubscription.Cursor"/> or an event's id).</summary>
    public static SubscribeFrom After(string cursor)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        return new SubscribeFrom(cursor, false);
    }

    /// <summary>The cursor to resume after, if any.</summary>
    public string? Cursor { get; }

    /// <summary>True to replay all retained history.</summary>
    public bool IsEarliest { get; }
}
