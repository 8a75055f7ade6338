using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Mercure;

/// <summary>The Mercure protocol endpoint, <c>/.well-known/mercure</c> (section <c>Hub:Mercure</c>).</summary>
public sealed class MercureOptions : IValidatableObject
{
    public const string Section = "Hub:Mercure";

    /// <summary>Whether <c>/.well-known/mercure</c> answers at all. Default true; false makes it 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The cookie a browser's <c>EventSource</c> carries its Mercure token in (the name Mercure's own hub
    /// uses). Default <c>mercureAuthorization</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$", ErrorMessage = "Hub:Mercure:CookieName must be a cookie name (RFC 6265 token characters).")]
    public string CookieName { get; set; } = "mercureAuthorization";

    /// <summary>
    /// Origins (<c>https://app.example.com</c>; entries may also be comma-separated) allowed to publish
    /// with a token from the cookie: a cookie rides along with any cross-site form post, so such a
    /// publish must carry an <c>Origin</c> (or <c>Referer</c>) on this list. Default none: publishing
    /// needs the <c>Authorization</c> header or the <c>authorization</c> query parameter.
    /// </summary>
    public string[] PublishOrigins { get; set; } = [];

    /// <summary>Most topics (canonical and alternates) in one update. Default 32.</summary>
    [Range(1, 1_024)]
    public int MaxTopicsPerUpdate { get; set; } = 32;

    /// <summary>Most <c>topic</c> selectors on one subscription. Default 64.</summary>
    [Range(1, 1_024)]
    public int MaxSelectors { get; set; } = 64;

    /// <summary>Longest topic, selector or update id, in characters. Default 2,048 (a long URL).</summary>
    [Range(16, 65_536)]
    public int MaxTopicLength { get; set; } = 2_048;

    /// <summary>Most URI templates compiled and kept for reuse; past it the cache starts over. Default 10,000.</summary>
    [Range(16, 1_000_000)]
    public int MaxCachedTemplates { get; set; } = 10_000;

    /// <summary>
    /// Shards of the live Mercure traffic between silos and API nodes (<see cref="MercureShards"/>): a
    /// node whose subscribers all name topics of one origin (<c>https://a.example/…</c>) receives only
    /// that shard's updates; <c>*</c> and templates with a variable authority still receive all. Every
    /// update goes out once on the log's stream and once per shard its topics fall in. Must be the same
    /// on every API node. Default 16; 0 turns sharding off (every node with a subscriber receives all).
    /// </summary>
    [Range(0, 64)]
    public int Shards { get; set; } = 16;

    /// <summary>
    /// Mercure's optional subscription API: <c>GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]</c>
    /// and a private subscription event on <c>/.well-known/mercure/subscriptions/{topic}/{subscriber}</c>
    /// each time a subscription opens or closes. Default false: those URLs are 404 and no event is published.
    /// </summary>
    public bool SubscriptionsApi { get; set; }

    /// <summary>
    /// How long the cluster lists a node's subscriptions after the node last renewed its registration
    /// (it renews every third of this): the most a node that died unannounced stays in listings, unless
    /// a listing finds it dead sooner. Default 15 s.
    /// </summary>
    public TimeSpan SubscriptionsLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a subscription listing waits for each node's answer; a node slower than this is left out.
    /// Default 1 s: below <c>Hub:Cluster:ResponseTimeout</c> (1.5 s), which bounds the listing call itself.
    /// </summary>
    public TimeSpan SubscriptionsListTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> Origins => [.. PublishOrigins.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SubscriptionsLease < TimeSpan.FromSeconds(3) || SubscriptionsLease > TimeSpan.FromHours(1))
            yield return new ValidationResult("Hub:Mercure:SubscriptionsLease must be between 3 seconds and 1 hour.", [nameof(SubscriptionsLease)]);
        if (SubscriptionsListTimeout < TimeSpan.FromMilliseconds(100) || SubscriptionsListTimeout > TimeSpan.FromSeconds(30))
            yield return new ValidationResult("Hub:Mercure:SubscriptionsListTimeout must be between 100 ms and 30 seconds.", [nameof(SubscriptionsListTimeout)]);
        foreach (var origin in Origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0 || origin.EndsWith('/'))
                yield return new ValidationResult($"Hub:Mercure:PublishOrigins: '{origin}' is not an origin (scheme://host[:port], no path or trailing slash).", [nameof(PublishOrigins)]);
        }
    }
}
