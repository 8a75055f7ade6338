namespace Hub.Client.Subscribing;

/// <summary>Where a subscription starts: <see cref="Live"/>, <see cref="Earliest"/> retained event, just after a cursor, or rewound.</summary>
public readonly record struct SubscribeFrom
{
    private SubscribeFrom(string? cursor, bool earliest, string? rewind = null)
    {
        Cursor = cursor;
        IsEarliest = earliest;
        Rewind = rewind;
    }

    /// <summary>Each topic's last <paramref name="events"/> events (1 to 1000), then live.</summary>
    public static SubscribeFrom Last(int events)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(events);
        return new SubscribeFrom(null, false, events.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Each topic's events no older than <paramref name="age"/> (whole seconds), then live.</summary>
    public static SubscribeFrom Within(TimeSpan age)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(age, TimeSpan.FromSeconds(1));
        return new SubscribeFrom(null, false, ((long)age.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s");
    }

    /// <summary>Each topic's state (the latest event of every key, oldest first), then live.</summary>
    public static SubscribeFrom State => new(null, false, "state");

    /// <summary>The hub's <c>rewind</c> value, if any; the hub applies it only to a connection without a cursor.</summary>
    public string? Rewind { get; }

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
