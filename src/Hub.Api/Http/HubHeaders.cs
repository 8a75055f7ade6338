namespace Hub.Api.Http;

/// <summary>The hub's own HTTP header names (standard ones come from <c>HeaderNames</c>).</summary>
public static class HubHeaders
{
    /// <summary>
    /// On a publish: a client-chosen key (1–128 printable ASCII characters) that makes a retry return the
    /// original result instead of storing the event again (draft-ietf-httpapi-idempotency-key-header).
    /// </summary>
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>On a publish's <c>201</c>: <c>true</c> when the answer is an earlier publish's with the same key.</summary>
    public const string IdempotentReplayed = "Idempotent-Replayed";
}
