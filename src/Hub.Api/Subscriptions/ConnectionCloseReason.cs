namespace Hub.Api.Subscriptions;

/// <summary>Why an SSE connection ended, as logged and counted.</summary>
public enum ConnectionCloseReason
{
    None,
    ClientGone,
    SlowClient,
    ServerShutdown,
    SubscribeFailed,

    /// <summary>Ended on purpose by <c>POST /testing/drop</c> (enabled only in tests).</summary>
    Dropped,
}
