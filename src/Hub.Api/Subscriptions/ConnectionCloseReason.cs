namespace Hub.Api.Subscriptions;

/// <summary>Why an SSE connection ended, as logged and counted.</summary>
public enum ConnectionCloseReason
{
    None,
    ClientGone,
    SlowClient,
    ServerShutdown,
    SubscribeFailed,

    /// <summary>The node is draining (shutting down gracefully); the client was told to come back.</summary>
    Draining,

    /// <summary>The connection reached its maximum lifetime; the client was told to come back.</summary>
    LifetimeEnded,

    /// <summary>The token that granted a private topic expired (Hub:Auth).</summary>
    TokenExpired,

    /// <summary>Ended on purpose by <c>POST /testing/drop</c> (enabled only in tests).</summary>
    Dropped,
}
