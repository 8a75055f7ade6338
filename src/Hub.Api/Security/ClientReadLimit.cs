using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Hub.Api.Http;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// A token bucket per client address (<see cref="ClientAddress"/>) for reads: opening a subscription,
/// a history page or long-poll, a topic's info (<c>Hub:Limits:ReadRequestsPerSecond</c> and
/// <c>ReadBurst</c>). Called by the handlers themselves rather than through the rate-limiting middleware,
/// because SSE streams skip the middleware pipeline (see <c>SubscribeEndpoints</c>); a granted read takes
/// its token and keeps nothing for the life of its stream.
/// </summary>
public sealed class ClientReadLimit : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _limiter;

    public ClientReadLimit(IOptions<ClientLimitsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Value;
        if (limits.ReadRequestsPerSecond == 0)
            return;
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.ReadBurst,
            TokensPerPeriod = limits.ReadRequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Null when the client may make one more read now, else the 429 (with <c>Retry-After</c>) to answer.</summary>
    public IResult? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_limiter is null)
            return null;
        using var lease = _limiter.AttemptAcquire(ClientAddress.Of(context));
        if (lease.IsAcquired)
            return null;
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        return Problems.TooManyRequests(context,
            string.Create(CultureInfo.InvariantCulture, $"Too many subscriptions and history reads from this address. Retry after {seconds} s, or keep one stream open over several topics instead of polling."),
            seconds);
    }

    public void Dispose() => _limiter?.Dispose();
}
