namespace Hub.Api.Subscriptions;

/// <summary>
/// Where an SSE connection stands; <see cref="SseConnection"/> moves it, under its lock, and nothing else.
/// <code>
/// Replaying ──GoLive──▶ Idle ◀──flush done──▶ Flushing
///     ▲                  │  │                  │
///     └── epoch changed ─┘  └──── end ─────────┴──▶ Ended
/// </code>
/// </summary>
public enum SseConnectionState
{
    /// <summary>The request handler is writing history (a resume, a reset); feeds leave the connection alone.</summary>
    Replaying,

    /// <summary>Live and caught up: a feed with new events writes them straight into the response.</summary>
    Idle,

    /// <summary>
    /// A flush is still pending (the client reads slower than events arrive). Feeds leave the connection
    /// alone; when the flush completes, it catches up from the feeds' recent events in one write.
    /// </summary>
    Flushing,

    /// <summary>Over: nothing more is written; the request handler ends the response.</summary>
    Ended,
}
