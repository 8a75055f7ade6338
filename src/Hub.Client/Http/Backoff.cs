using System.Net.Http.Headers;

namespace Hub.Client.Http;

/// <summary>Exponential back-off with jitter, shared by publish retries and subscription reconnects.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private TimeSpan _next;

    /// <summary>The delay before the next attempt: the current step ±25 % (so clients cut off together do not return together); then the step doubles.</summary>
    public TimeSpan Next()
    {
        var step = _next == TimeSpan.Zero ? initial : _next;
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, step.Ticks * 2));
        return step * (0.75 + (Random.Shared.NextDouble() / 2));
    }

    /// <summary>Back to the first step after a success.</summary>
    public void Reset() => _next = TimeSpan.Zero;

    /// <summary>The server's <c>Retry-After</c> when it asks for longer than our own back-off.</summary>
    public static TimeSpan AtLeastRetryAfter(TimeSpan delay, RetryConditionHeaderValue? retryAfter)
    {
        var asked = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => TimeSpan.Zero,
        };
        return asked > delay ? asked : delay;
    }
}
