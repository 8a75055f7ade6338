namespace Hub.Client.Subscribing;

/// <summary>Where a <see cref="HubSubscription"/> is in its life: for a status display, a health check, or a log line when it is slow.</summary>
public enum SubscriptionState
{
    /// <summary>Not enumerated yet.</summary>
    NotStarted,

    /// <summary>Reading where the topics start, or opening the stream (after a failure, between back-off delays).</summary>
    Connecting,

    /// <summary>The stream is open; events arrive as they are published.</summary>
    Streaming,

    /// <summary>The stream ended or broke (see <see cref="HubSubscription.LastFailure"/>); waiting the hub's <c>retry:</c> or a back-off before reconnecting.</summary>
    WaitingToReconnect,

    /// <summary>The enumeration ended: cancelled, or a problem was thrown.</summary>
    Ended,
}
