namespace Hub.Api.Subscriptions;

/// <summary>Why an SSE connection ended, as logged and counted.</summary>
public enum ConnectionCloseReason
{
    None,
    ClientGone,
    SlowClient,
    ServerShutdown,
    SubscribeFailed,

    /// <summary>The token that granted a private topic expired (Hub:Auth).</summary>
    TokenExpired,
}
