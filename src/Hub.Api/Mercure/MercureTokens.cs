using Hub.Api.Http;
using Hub.Api.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Hub.Api.Mercure;

/// <summary>Where a Mercure request's token came from.</summary>
public enum MercureTokenSource
{
    None,
    Header,
    Query,
    Cookie,
}

/// <summary>The outcome of reading a request's Mercure token: its claims, or the 401 to answer.</summary>
public sealed record MercureAuthentication(MercureTokenSource Source, MercureClaims Claims, IResult? Problem);

/// <summary>
/// Finds and checks a Mercure request's token, in Mercure's order: the <c>Authorization: Bearer</c>
/// header, else the <c>authorization</c> query parameter, else the cookie
/// (<see cref="MercureOptions.CookieName"/>). A token is verified exactly as the hub's own tokens are:
/// the same keys (<c>Hub:Auth:SigningKey</c> / <c>PublicKeyPem</c>), algorithms, issuer, audience,
/// lifetime and clock skew, taken from the JWT bearer scheme's validation parameters. A token that is
/// sent is always checked: a bad one is a 401 even where none is needed.
/// </summary>
public sealed class MercureTokens(IOptionsMonitor<JwtBearerOptions> jwt, IOptions<MercureOptions> options)
{
    public const string QueryParameter = "authorization";

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    private readonly string _cookieName = options.Value.CookieName;

    public async Task<MercureAuthentication> AuthenticateAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (source, token) = Find(request);
        if (source == MercureTokenSource.None)
            return new MercureAuthentication(source, MercureClaims.Anonymous, null);
        if (string.IsNullOrEmpty(token))
            return Refused(request, source, "The Authorization header must be 'Bearer <token>'.");
        var parameters = jwt.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
            return Refused(request, source, TokenFailures.Describe(result.Exception));
        return new MercureAuthentication(source, MercureClaims.From(result.ClaimsIdentity), null);
    }

    private (MercureTokenSource Source, string? Token) Find(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { Length: > 0 } header)
        {
            const string Bearer = "Bearer ";
            return (MercureTokenSource.Header, header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? header[Bearer.Length..].Trim() : null);
        }
        if (request.Query[QueryParameter].ToString() is { Length: > 0 } query)
            return (MercureTokenSource.Query, query);
        if (request.Cookies.TryGetValue(_cookieName, out var cookie) && cookie.Length > 0)
            return (MercureTokenSource.Cookie, cookie);
        return (MercureTokenSource.None, null);
    }

    private static MercureAuthentication Refused(HttpRequest request, MercureTokenSource source, string reason)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return new MercureAuthentication(source, MercureClaims.Anonymous, Problems.Unauthorized($"{reason} (token from the {source.ToString().ToLowerInvariant()})"));
    }
}
