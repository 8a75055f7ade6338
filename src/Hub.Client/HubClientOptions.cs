using System.Text.Json;

namespace Hub.Client;

/// <summary>
/// Settings of a <see cref="HubClient"/>. Bound from configuration by
/// <c>services.AddHubClient(configuration.GetSection("HubClient"))</c>
/// (for example the <c>HubClient</c> section: <c>BaseAddress</c>, <c>MaxPublishAttempts</c>, …).
/// </summary>
public sealed class HubClientOptions
{
    /// <summary>The hub's address, such as <c>http://localhost:5000/</c>. Optional when the <see cref="HttpClient"/> has a base address.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Returns the bearer token to send (or null for none). Called before every publish attempt, history
    /// request and every (re)connect of a subscription, so a token that expires is refreshed.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>How many times a publish is sent before its last failure is thrown (1 = no retry).</summary>
    public int MaxPublishAttempts { get; set; } = 8;

    /// <summary>The first back-off delay; it doubles with each failure, with ±25 % jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest back-off delay between attempts or reconnects (a longer <c>Retry-After</c> still wins).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one publish or history request may take before it is abandoned (and a publish retried with its key).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a subscription's connection may stay silent before it is given up and reopened from the cursor:
    /// no response headers, or not a byte (events or the hub's keep-alive comments) for this long. The hub
    /// writes a keep-alive into every silent stream each <c>Hub:Sse:HeartbeatInterval</c> (15 s by default), so
    /// keep this at two intervals or more. It catches connections that die without a word (a dead NAT entry, a
    /// frozen node), which would otherwise leave a subscription waiting forever. Infinite turns it off.
    /// </summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How JSON-serialisable data is written; web defaults (camelCase) unless set.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Throws when a setting cannot work, so a misconfigured client fails at its first use with a clear message.</summary>
    public void Validate()
    {
        if (MaxPublishAttempts < 1)
            throw new InvalidOperationException($"{nameof(MaxPublishAttempts)} must be at least 1.");
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
            throw new InvalidOperationException($"{nameof(InitialBackoff)} must be positive and not exceed {nameof(MaxBackoff)}.");
        if (RequestTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException($"{nameof(RequestTimeout)} must be positive.");
        if (SilenceTimeout <= TimeSpan.Zero && SilenceTimeout != Timeout.InfiniteTimeSpan)
            throw new InvalidOperationException($"{nameof(SilenceTimeout)} must be positive (or infinite, to turn it off).");
        if (BaseAddress is { IsAbsoluteUri: false })
            throw new InvalidOperationException($"{nameof(BaseAddress)} must be an absolute URI.");
    }
}
