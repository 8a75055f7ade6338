namespace Hub.Api.Subscriptions;

/// <summary>What a feed could answer when asked for its events after a position.</summary>
public enum FeedRead
{
    /// <summary>Every event after the position was copied (possibly none: the position is the feed's newest, or ahead of it).</summary>
    Served,

    /// <summary>The feed no longer holds the event right after the position (it fell out of the recent events, or is too old).</summary>
    Evicted,

    /// <summary>The position is in another epoch than the feed's: only the log can say what follows it.</summary>
    OtherEpoch,
}
