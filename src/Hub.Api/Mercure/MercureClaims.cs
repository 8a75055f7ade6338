using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Hub.Api.Security;

namespace Hub.Api.Mercure;

/// <summary>
/// What a Mercure token grants, from its <c>mercure</c> claim:
/// <c>{"mercure":{"publish":["https://example.com/books/{id}"],"subscribe":["*"],"payload":{…}}}</c>.
/// Selectors follow the same rules as subscription selectors (<see cref="TopicSelector"/>). A claim that
/// is missing or shaped otherwise grants nothing; it never fails the request.
/// </summary>
public sealed class MercureClaims
{
    public const string ClaimType = "mercure";

    public static readonly MercureClaims Anonymous = new([], [], null, null);

    private MercureClaims(IReadOnlyList<string> publish, IReadOnlyList<string> subscribe, string? payload, DateTimeOffset? expires)
    {
        Publish = publish;
        Subscribe = subscribe;
        Payload = payload;
        Expires = expires;
    }

    public IReadOnlyList<string> Publish { get; }

    public IReadOnlyList<string> Subscribe { get; }

    /// <summary>The claim's <c>payload</c> as JSON text, attached to the subscription; null when absent.</summary>
    public string? Payload { get; }

    /// <summary>The token's <c>exp</c>; null for a token without one (or no token).</summary>
    public DateTimeOffset? Expires { get; }

    public static MercureClaims From(ClaimsIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        DateTimeOffset? expires = long.TryParse(identity.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : null;
        var claim = identity.FindFirst(ClaimType)?.Value;
        if (string.IsNullOrEmpty(claim))
            return new MercureClaims([], [], null, expires);
        try
        {
            using var document = JsonDocument.Parse(claim);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new MercureClaims([], [], null, expires);
            var payload = root.TryGetProperty("payload", out var p) ? p.GetRawText() : null;
            return new MercureClaims(TopicGrants.Read(root, "publish"), TopicGrants.Read(root, "subscribe"), payload, expires);
        }
        catch (JsonException)
        {
            return new MercureClaims([], [], null, expires);
        }
    }
}
