using System.Globalization;
using System.Security.Claims;
using Hub.Api.Http;
using Hub.Api.Subscriptions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// The one place that decides whether a request may publish to or read from topics. Every read path
/// (SSE subscribe, resume, history and long-poll, topic info) and the publish path ask here before
/// touching a grain, so a private event has no way out to a client without a grant.
/// <para>
/// A token that is sent is always checked: an invalid, expired or not-yet-valid one is a 401 even where
/// no token is needed, so a client learns at once that its token is bad.
/// </para>
/// </summary>
public sealed partial class TopicAccess(
    IAuthorizationService authorization,
    IOptions<AuthOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<TopicAccess> logger)
{
    private const int TopicsNamedInProblems = 5;

    private readonly TopicPatterns _private = new(options.Value.PrivateTopics);
    private readonly bool _anonymousPublish = options.Value.AnonymousPublishAllowed(environment);
    private readonly string _cookieName = options.Value.CookieName;

    /// <summary>Null when the request may publish to <paramref name="topic"/>, else the 401/403 to answer.</summary>
    public ValueTask<IResult?> CheckPublishAsync(HttpContext context, string topic)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A request with no token anywhere can only authenticate to "no result": answer that without a
        // second pass through the authentication handler (anonymous publishing is the hot case).
        if (TokenSources.Find(context.Request, _cookieName, out _) == TokenSource.None)
            return ValueTask.FromResult(Anonymous(context));
        return CheckPublishTokenAsync(context, topic);
    }

    private async ValueTask<IResult?> CheckPublishTokenAsync(HttpContext context, string topic)
    {
        var result = await context.AuthenticateAsync();
        if (result.Failure is not null)
            return InvalidToken(context, result.Failure);
        if (!result.Succeeded)
            return Anonymous(context);
        if (TokenSources.Of(context) != TokenSource.Header)
        {
            // A cookie rides along with any cross-site form post; a query string ends up in logs.
            return Unauthorized(context, $"Publish with an 'Authorization: Bearer' header; a token in the '{options.Value.CookieName}' cookie or the '{TokenSources.QueryParameter}' parameter only opens subscriptions.");
        }
        var allowed = await authorization.AuthorizeAsync(result.Principal, topic, TopicAccessRequirement.Publish);
        if (allowed.Succeeded)
        {
            // A streamed publish outlives this check: it reads the token's expiry from here.
            context.User = result.Principal;
            return null;
        }
        LogDenied(logger, "publish", topic, Subject(result.Principal));
        return Problems.Forbidden($"The token does not grant publishing to topic '{topic}' (its hub.publish claim has no matching name or pattern).");
    }

    private IResult? Anonymous(HttpContext context) => _anonymousPublish
        ? null
        : Unauthorized(context, "Publishing needs a token: send 'Authorization: Bearer <token>' whose hub.publish claim grants the topic.");

    /// <summary>
    /// Null when the request may read every one of <paramref name="topics"/>, else the 401/403 to answer.
    /// A subscription that mixes public topics with private ones it may not read is refused whole, before
    /// the stream starts: delivering the public part would hide the refusal from the client.
    /// </summary>
    public async Task<IResult?> CheckSubscribeAsync(HttpContext context, IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(topics);
        // A request with no token authenticates to "no result": skip the handler (and the request's DI
        // scope it would create), which matters for anonymous streams that live for hours.
        var result = TokenSources.Find(context.Request, _cookieName, out _) == TokenSource.None
            ? AuthenticateResult.NoResult()
            : await context.AuthenticateAsync();
        if (result.Failure is not null)
            return InvalidToken(context, result.Failure);
        var privateTopics = topics.Where(_private.IsMatch).ToList();
        if (privateTopics.Count == 0)
            return null;
        var whole = topics.Count > privateTopics.Count
            ? " The whole subscription is refused, its public topics too: subscribe to them separately, or with a token that grants every topic."
            : "";
        if (!result.Succeeded)
        {
            return Unauthorized(context,
                $"{Describe(privateTopics)} private: reading needs a token whose hub.subscribe claim grants it, sent as 'Authorization: Bearer', " +
                $"the '{options.Value.CookieName}' cookie or the '{TokenSources.QueryParameter}' query parameter.{whole}");
        }

        var denied = new List<string>();
        foreach (var topic in privateTopics)
        {
            if (!(await authorization.AuthorizeAsync(result.Principal, topic, TopicAccessRequirement.Subscribe)).Succeeded)
                denied.Add(topic);
        }
        if (denied.Count == 0)
        {
            context.User = result.Principal;
            return null;
        }
        LogDenied(logger, "subscribe", denied[0], Subject(result.Principal));
        return Problems.Forbidden($"{Describe(denied)} private and the token's hub.subscribe claim does not grant it.{whole}");
    }

    /// <summary>
    /// Closes <paramref name="connection"/> when the token that opened it expires, if any of its topics is
    /// private (a public subscription needs no token, so its expiry changes nothing). Null when no timer is
    /// needed; dispose the timer when the connection ends.
    /// </summary>
    public IDisposable? CloseAtTokenExpiry(HttpContext context, SseConnection connection)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(connection);
        // Checked before reading context.User, which an anonymous request would otherwise get allocated.
        if (!connection.Topics.Topics.Any(_private.IsMatch))
            return null;
        if (!long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
            return null;
        return CloseAt(connection, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>
    /// Until when the token a request was let in with would still be accepted (its <c>exp</c> plus the
    /// clock skew); null for a request without a token or a token without <c>exp</c>. A streamed publish
    /// is cut at that moment.
    /// </summary>
    public DateTimeOffset? AcceptedUntil(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (TokenSources.Find(context.Request, _cookieName, out _) == TokenSource.None)
            return null;
        return long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp) + options.Value.ClockSkew
            : null;
    }

    /// <summary>
    /// How long a long-poll of the request may wait: <paramref name="wait"/>, or less when the token that
    /// let it read a private topic expires sooner (the request was authorised by
    /// <see cref="CheckSubscribeAsync"/>, which sets <c>context.User</c> only then). Past its token's
    /// expiry a waiting request would otherwise hand out an event its client may no longer read.
    /// </summary>
    public TimeSpan WaitWithin(HttpContext context, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity?.IsAuthenticated != true
            || !long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
            return wait;
        // Not exp + skew (as an open stream gets): a long-poll is a fresh answer, and promises none past exp.
        var left = DateTimeOffset.FromUnixTimeSeconds(exp) - time.GetUtcNow();
        return left < wait ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : wait;
    }

    /// <summary>
    /// Closes <paramref name="connection"/> when a token expiring at <paramref name="expires"/> would no
    /// longer be let in; null when no timer is needed. Dispose the timer when the connection ends.
    /// </summary>
    public IDisposable? CloseAt(SseConnection connection, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // The hub accepted the token up to exp + skew, so it stays open as long as a new request would be let in.
        var due = expires + options.Value.ClockSkew - time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            connection.Close(ConnectionCloseReason.TokenExpired);
            return null;
        }
        // Timers cannot wait longer than about 49 days; a token living longer outlives any connection anyway.
        if (due.TotalMilliseconds >= uint.MaxValue - 1)
            return null;
        return time.CreateTimer(static state => ((SseConnection)state!).Close(ConnectionCloseReason.TokenExpired), connection, due, Timeout.InfiniteTimeSpan);
    }

    private IResult InvalidToken(HttpContext context, Exception failure)
    {
        var reason = TokenFailures.Describe(failure);
        LogInvalidToken(logger, TokenSources.Of(context), failure.GetType().Name);
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Problems.Unauthorized(reason);
    }

    private static IResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Unauthorized(detail);
    }

    private static string Describe(List<string> topics)
    {
        var named = string.Join(", ", topics.Take(TopicsNamedInProblems).Select(t => $"'{t}'"));
        var more = topics.Count > TopicsNamedInProblems ? $" and {topics.Count - TopicsNamedInProblems} more" : "";
        return topics.Count == 1 ? $"Topic {named} is" : $"Topics {named}{more} are";
    }

    private static string Subject(ClaimsPrincipal? principal) => principal?.FindFirst("sub")?.Value ?? "(no sub)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused to {Action} topic {Topic} for subject {Subject}: not granted by the token")]
    private static partial void LogDenied(ILogger logger, string action, string topic, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a token from the {Source}: {Failure}")]
    private static partial void LogInvalidToken(ILogger logger, TokenSource source, string failure);
}
