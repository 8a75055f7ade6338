using System.Buffers;
using System.Security.Cryptography;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// <c>GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]</c>, Mercure's subscription API
/// (draft-dunglas-mercure-07, "Active Subscriptions"): the active subscriptions of the whole cluster, of
/// one topic selector, or one subscription, as <c>application/ld+json</c> with the Mercure log's
/// <c>lastEventID</c> (from which a client follows the subscription events without missing a change).
/// <para>
/// As in Mercure, the caller needs a token whose <c>mercure.subscribe</c> selectors match the requested
/// URL's path as it was sent (percent-encoded): <c>/.well-known/mercure/subscriptions{/topic}{/subscriber}</c>
/// grants all three, <c>*</c> too. No token is a 401, a token that does not cover the path a 403.
/// </para>
/// </summary>
public sealed partial class MercureSubscriptionsHandler(
    IGrainFactory grains,
    MercureTokens tokens,
    TopicSelectorCache selectors,
    ClientReadLimit readLimit,
    IOptions<MercureOptions> options,
    ILogger<MercureSubscriptionsHandler> logger)
{
    private readonly TimeSpan _timeout = options.Value.SubscriptionsListTimeout;
    private readonly int _maxPath = 3 * 2 * options.Value.MaxTopicLength + MercureSubscription.CollectionPath.Length + 2;

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (readLimit.Check(context) is { } tooMany)
            return tooMany;
        var path = RawPath(context);
        if (path.Length > _maxPath || !TryParse(path, out var filter))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "Subscriptions are at /.well-known/mercure/subscriptions, /.well-known/mercure/subscriptions/{topic} and /.well-known/mercure/subscriptions/{topic}/{subscriber}, each value percent-encoded.");

        var authentication = await tokens.AuthenticateAsync(context.Request);
        if (authentication.Problem is { } invalid)
            return invalid;
        if (authentication.Source == MercureTokenSource.None)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized("The subscription API needs a token whose mercure.subscribe claim matches the requested URL, e.g. '/.well-known/mercure/subscriptions{/topic}{/subscriber}'.");
        }
        if (!selectors.GetAll(authentication.Claims.Subscribe).Any(s => s.IsMatch(path)))
        {
            LogDenied(logger, path);
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
            return Problems.Forbidden($"The token's mercure.subscribe claim does not match '{path}'.");
        }

        string lastEventId;
        MercureSubscriptionListing listing;
        try
        {
            // The last id first, then the nodes: every event up to it is reflected in what they answer.
            lastEventId = await LastEventIdAsync();
            listing = await grains.GetGrain<IMercureSubscriptionDirectoryGrain>(IMercureSubscriptionDirectoryGrain.Key).ListAsync(filter, _timeout);
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
        {
            LogUnavailable(logger, ex);
            return Problems.Unavailable(context, "The cluster could not list the subscriptions right now. Retry shortly.");
        }
        if (listing.Unanswered > 0)
            LogIncomplete(logger, listing.Unanswered, listing.Nodes);

        // Sorted, so the same subscriptions give the same bytes (and ETag) whichever node answers first.
        var found = listing.Subscriptions
            .OrderBy(s => s.Topic, StringComparer.Ordinal)
            .ThenBy(s => s.Subscriber, StringComparer.Ordinal)
            .Select(s => new MercureSubscription(s, active: true))
            .ToList();
        var body = new ArrayBufferWriter<byte>(512);
        using (var writer = MercureSubscription.NewWriter(body))
        {
            if (filter.Subscriber is not null)
            {
                if (found.Count == 0)
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such active subscription.");
                found[0].WriteTo(writer, standalone: true, lastEventId);
            }
            else
            {
                WriteCollection(writer, path, lastEventId, found);
            }
        }
        return Answer(context, body.WrittenMemory.ToArray());
    }

    private static void WriteCollection(System.Text.Json.Utf8JsonWriter writer, string path, string lastEventId, List<MercureSubscription> subscriptions)
    {
        writer.WriteStartObject();
        writer.WriteString("@context", MercureSubscription.Context);
        writer.WriteString("id", path);
        writer.WriteString("type", "Subscriptions");
        writer.WriteString("lastEventID", lastEventId);
        writer.WriteStartArray("subscriptions");
        foreach (var subscription in subscriptions)
            subscription.WriteTo(writer, standalone: false);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// 200 with the document, or 304 when <c>If-None-Match</c> names its ETag. The ETag is a hash of the
    /// document, which holds the <c>lastEventID</c>: Mercure uses the <c>lastEventID</c> alone, but a
    /// listing can also change without an event (a node died and took its subscriptions with it).
    /// </summary>
    private static IResult Answer(HttpContext context, byte[] body)
    {
        var etag = "\"" + Convert.ToBase64String(SHA256.HashData(body).AsSpan(0, 16)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "private, no-cache";
        headers.Link = $"<{MercureEndpoints.Path}>; rel=\"mercure\"";
        // RFC 9110 §13.1.2: If-None-Match compares weakly, so a W/ prefix does not matter.
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(tag => tag.Trim() is var t && (t == "*" || (t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t) == etag))))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(body, MercureSubscription.MediaType);
    }

    /// <summary>The id of the newest update in the Mercure log, or <c>earliest</c> when it holds none.</summary>
    private async Task<string> LastEventIdAsync()
    {
        var log = grains.GetGrain<ITopicGrain>(MercureLog.Topic);
        var info = await log.GetInfoAsync();
        if (info.Head == 0 || info.Oldest > info.Head)
            return MercureLog.Earliest;
        var page = await log.ReadAfterAsync(info.Head - 1, 1);
        return page.Events is [var newest] && MercureUpdate.Of(newest) is { } update ? update.Id : MercureLog.Earliest;
    }

    /// <summary>The path as the client sent it, still percent-encoded: what token selectors are matched against.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
            return (context.Request.PathBase + context.Request.Path).ToUriComponent();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>Reads <c>/subscriptions</c>, <c>/subscriptions/{topic}</c> or <c>/subscriptions/{topic}/{subscriber}</c>.</summary>
    internal static bool TryParse(string path, out MercureSubscriptionFilter filter)
    {
        filter = MercureSubscriptionFilter.All;
        if (!path.StartsWith(MercureSubscription.CollectionPath, StringComparison.Ordinal))
            return false;
        var rest = path[MercureSubscription.CollectionPath.Length..];
        if (rest.Length == 0)
            return true;
        if (rest[0] != '/')
            return false;
        var segments = rest[1..].Split('/');
        if (segments.Length > 2 || segments.Any(s => s.Length == 0))
            return false;
        filter = new MercureSubscriptionFilter(Uri.UnescapeDataString(segments[0]), segments.Length == 2 ? Uri.UnescapeDataString(segments[1]) : null);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a Mercure subscription listing of {Path}: not matched by the token's mercure.subscribe claim")]
    private static partial void LogDenied(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Mercure subscription listing could not reach the cluster; the client got a 503")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Mercure subscription listing is missing {Unanswered} of {Nodes} nodes (they did not answer in time)")]
    private static partial void LogIncomplete(ILogger logger, int unanswered, int nodes);
}
