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
        var http = context.HttpContext;
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0)
        {
            // The handler reads the header itself.
            http.Items[SourceKey] = TokenSource.Header;
        }
        else if (request.Cookies.TryGetValue(cookieName, out var cookie) && cookie.Length > 0)
        {
            context.Token = cookie;
            http.Items[SourceKey] = TokenSource.Cookie;
        }
        else if (request.Query.TryGetValue(QueryParameter, out var query) && query.Count > 0 && !string.IsNullOrEmpty(query[0]))
        {
            context.Token = query[0];
            http.Items[SourceKey] = TokenSource.Query;
        }
        return Task.CompletedTask;
    }

    public static TokenSource Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(SourceKey, out var source) && source is TokenSource s ? s : TokenSource.None;
    }
}
