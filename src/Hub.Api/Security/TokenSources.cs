using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Hub.Api.Security;

/// <summary>Where a request's token came from.</summary>
public enum TokenSource
{
    None,
    Header,
    Cookie,
    Query,
}

/// <summary>
/// Finds a request's token: the <c>Authorization: Bearer</c> header, else the token cookie (a native
/// <c>EventSource</c> cannot set headers but sends cookies), else the <c>access_token</c> query
/// parameter. Records which one it used, because only a header token may publish: a cookie travels with
/// any cross-site form post, and a query string ends up in logs.
/// </summary>
public static class TokenSources
{
    public const string QueryParameter = "access_token";

    private static readonly object SourceKey = new();

    public static Task OnMessageReceived(MessageReceivedContext context, string cookieName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var source = Find(context.Request, cookieName, out var token);
        if (source == TokenSource.None)
            return Task.CompletedTask;
        // A header token the handler reads itself; the others it must be handed.
        if (source != TokenSource.Header)
            context.Token = token;
        context.HttpContext.Items[SourceKey] = source;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Where <paramref name="request"/> carries a token, in the order the handler looks: None when it
    /// carries none, so authenticating it can only end without a result.
    /// </summary>
    public static TokenSource Find(HttpRequest request, string cookieName, out string? token)
    {
        ArgumentNullException.ThrowIfNull(request);
        token = null;
        if (request.Headers.Authorization.Count > 0)
            return TokenSource.Header;
        if (request.Cookies.TryGetValue(cookieName, out var cookie) && cookie.Length > 0)
        {
            token = cookie;
            return TokenSource.Cookie;
        }
        // QueryString first: reading Query parses it into a new collection even when there is none.
        if (request.QueryString.HasValue && request.Query.TryGetValue(QueryParameter, out var query) && query.Count > 0 && !string.IsNullOrEmpty(query[0]))
        {
            token = query[0];
            return TokenSource.Query;
        }
        return TokenSource.None;
    }

    public static TokenSource Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(SourceKey, out var source) && source is TokenSource s ? s : TokenSource.None;
    }
}
