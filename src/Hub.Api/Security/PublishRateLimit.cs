using System.Globalization;
using System.Threading.RateLimiting;
using Hub.Api.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// ASP.NET Core rate limiting for publishing: a token bucket per publisher, keyed by the token's
/// <c>sub</c> (so publishers behind one address do not share a budget) or else by the client IP. A
/// refused request gets 429 with <c>Retry-After</c>, and its event is not stored.
/// </summary>
public static class PublishRateLimit
{
    public const string Policy = "hub-publish";

    public static IServiceCollection AddPublishRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ClientLimitsOptions>, IOptions<AuthOptions>, IHostEnvironment>((limiter, limits, auth, environment) =>
        {
            var options = limits.Value;
            var anonymousPublish = auth.Value.AnonymousPublishAllowed(environment);
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = OnRejectedAsync;
            limiter.AddPolicy(Policy, context => Partition(context, options, anonymousPublish));
        });
        return services;
    }

    /// <summary>
    /// Puts a publishing endpoint under the publish rate limit. With the limit off (0) the rate limiter
    /// is left out of the request instead of being asked for a lease that never says no: it would wrap
    /// every publish in one more asynchronous frame (measured with the publish benchmark;
    /// docs/performance.md, eighth pass).
    /// </summary>
    public static TBuilder RequirePublishRateLimit<TBuilder>(this TBuilder endpoint, IServiceProvider services)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<IOptions<ClientLimitsOptions>>().Value.PublishRequestsPerSecond > 0
            ? endpoint.RequireRateLimiting(Policy)
            : endpoint;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, ClientLimitsOptions options, bool anonymousPublish)
    {
        // context.User is only set for a valid token (UseAuthentication runs first), so a forged sub cannot pick a bucket.
        // A request without a valid token, where anonymous publishing is off, ends in 401: it counts in a
        // bucket of its own, so a client sending bad tokens cannot drain the bucket of the publishers at its address.
        var key = context.User.FindFirst("sub")?.Value is { Length: > 0 } subject
            ? "sub:" + subject
            : (anonymousPublish || context.User.Identity?.IsAuthenticated == true ? "ip:" : "unauthenticated:") + ClientAddress.Of(context);
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(options.PublishBurst, 1),
            TokensPerPeriod = options.PublishRequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var problem = Problems.TooManyRequests(context.HttpContext,
            string.Create(CultureInfo.InvariantCulture, $"Too many publish requests from this publisher. Retry after {seconds} s, or send events in batches (a JSON array counts as one request)."),
            seconds);
        await problem.ExecuteAsync(context.HttpContext);
    }
}
