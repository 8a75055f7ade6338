using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;

namespace Hub.Api.Security;

/// <summary>
/// The topics a token grants, read from its <c>hub</c> claim:
/// <c>{"hub":{"publish":["news","status.*"],"subscribe":["*"]}}</c>. A claim that is missing or shaped
/// otherwise grants nothing; it never fails the request.
/// </summary>
public sealed class TopicGrants
{
    public const string ClaimType = "hub";
    public const string PublishProperty = "publish";
    public const string SubscribeProperty = "subscribe";

    public static readonly TopicGrants None = new(TopicPatterns.None, TopicPatterns.None);

    // A subscription checks up to MaxTopics topics against one principal: parse its claim once.
    private static readonly ConditionalWeakTable<ClaimsPrincipal, TopicGrants> Cache = [];

    private TopicGrants(TopicPatterns publish, TopicPatterns subscribe)
    {
        Publish = publish;
        Subscribe = subscribe;
    }

    public TopicPatterns Publish { get; }

    public TopicPatterns Subscribe { get; }

    public static TopicGrants Of(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Cache.GetValue(principal, static p => Parse(p.FindFirst(ClaimType)?.Value));
    }

    internal static TopicGrants Parse(string? claimJson)
    {
        if (string.IsNullOrEmpty(claimJson))
            return None;
        try
        {
            using var document = JsonDocument.Parse(claimJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return None;
            return new TopicGrants(new TopicPatterns(Read(root, PublishProperty)), new TopicPatterns(Read(root, SubscribeProperty)));
        }
        catch (JsonException)
        {
            return None;
        }
    }

    /// <summary>An array of strings, or one string; anything else grants nothing (Mercure's claim reads the same way).</summary>
    internal static List<string> Read(JsonElement root, string property)
    {
        var list = new List<string>();
        if (!root.TryGetProperty(property, out var value))
            return list;
        if (value.ValueKind == JsonValueKind.String)
        {
            list.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                    list.Add(item.GetString()!);
            }
        }
        return list;
    }
}
