using Hub.Api.Hosting;
using Hub.Grains.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Api.Security;

/// <summary>
/// Wires authentication (JWT bearer), topic authorization, CORS, per-client connection limits and
/// publish rate limiting, all from <c>Hub:Auth</c>, <c>Hub:Cors</c> and <c>Hub:Limits</c>.
/// </summary>
public static class HubSecurity
{
    /// <summary>Request headers browsers may send cross-origin: tokens, JSON bodies, EventSource's resume header and a publish's idempotency key.</summary>
    private static readonly string[] CorsRequestHeaders = ["Authorization", "Content-Type", "Last-Event-ID", "Cache-Control", "Accept", Http.HubHeaders.IdempotencyKey];

    /// <summary>Response headers fetch clients may read: where a published event lives, when to retry, why a token failed, whether a publish was a replay.</summary>
    private static readonly string[] CorsExposedHeaders = ["Location", "Retry-After", "WWW-Authenticate", Http.HubHeaders.IdempotentReplayed];

    public static IServiceCollection AddHubSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddHubOptions<AuthOptions>(configuration, AuthOptions.Section);
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddHubOptions<HubCorsOptions>(configuration, HubCorsOptions.Section);
        services.AddHubOptions<ClientLimitsOptions>(configuration, ClientLimitsOptions.Section);
        services.AddHostedService<AnonymousPublishWarning>();
        services.AddSingleton(TimeProvider.System);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>, IHostEnvironment>((jwt, auth, environment) => ConfigureJwt(jwt, auth.Value, environment));
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, TopicAuthorizationHandler>();
        services.AddSingleton<TopicAccess>();

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<HubCorsOptions>>((cors, hub) => cors.AddDefaultPolicy(policy => ConfigureCors(policy, hub.Value)));

        services.AddSingleton<ClientConnectionLimiter>();
        services.AddSingleton<ClientReadLimit>();
        services.AddPublishRateLimit();
        return services;
    }

    /// <summary>
    /// CORS first (a preflight needs no token), then authentication, then rate limiting keyed by the
    /// authenticated subject. Only a request that carries a token goes through the authentication
    /// handler: one with none can only end anonymous, and the handler would cost an anonymous publish
    /// its request's DI scope, a handler and a dozen objects (about a fifth of what a publish allocates).
    /// <para>
    /// No authorization middleware: topic access is decided by the handlers (<see cref="TopicAccess"/>,
    /// through <see cref="IAuthorizationService"/>), and no endpoint carries authorization metadata. The
    /// middleware would only wrap every request in one more asynchronous frame (measured with the
    /// publish benchmark; docs/performance.md, eighth pass). An endpoint given such metadata later fails
    /// loudly: ASP.NET Core refuses to run it without the middleware.
    /// </para>
    /// </summary>
    public static IApplicationBuilder UseHubSecurity(this IApplicationBuilder app)
    {
        UseCorsForBrowsers(app);
        UseAuthenticationOfTokens(app);
        app.UseRateLimiter();
        app.CarryMarks(branch => branch.UseAuthorization());
        return app;
    }

    /// <summary>
    /// CORS only for requests with an <c>Origin</c> header (browsers' cross-origin requests and
    /// preflights). For any other request the middleware has nothing to do, yet it would resolve its
    /// policy provider from the request's services, which opens a DI scope per request, and mark the
    /// request in <c>HttpContext.Items</c>, which creates that dictionary: about a tenth of what a
    /// server-to-server publish allocated (docs/performance.md, eighth pass). No endpoint carries CORS
    /// metadata (it would need the mark on every request), which <c>PipelineTests</c> checks.
    /// </summary>
    private static void UseCorsForBrowsers(IApplicationBuilder app) =>
        app.UseOnlyFor(context => context.Request.Headers.ContainsKey(HeaderNames.Origin), branch => branch.UseCors());

    private static void UseAuthenticationOfTokens(IApplicationBuilder app)
    {
        var cookieName = app.ApplicationServices.GetRequiredService<IOptions<AuthOptions>>().Value.CookieName;
        app.UseOnlyFor(context => TokenSources.Find(context.Request, cookieName, out _) != TokenSource.None, branch => branch.UseAuthentication());
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth, IHostEnvironment environment)
    {
        var (keys, algorithms) = SigningKeys.From(auth);
        // Keep claim names as the token spells them ("sub", "hub"), not mapped to WS-Federation URIs.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            // With no key configured every token fails, which is right: nothing can vouch for it.
            ValidAlgorithms = algorithms.Count > 0 ? algorithms : [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidateIssuer = !string.IsNullOrEmpty(auth.Issuer),
            ValidIssuer = auth.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(auth.Audience),
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = auth.ExpirationRequired(environment),
            ClockSkew = auth.ClockSkew,
            NameClaimType = "sub",
        };
        var cookieName = auth.CookieName;
        jwt.Events = new JwtBearerEvents { OnMessageReceived = context => TokenSources.OnMessageReceived(context, cookieName) };
    }

    private static void ConfigureCors(CorsPolicyBuilder policy, HubCorsOptions options)
    {
        if (options.IsAnyOrigin)
            policy.AllowAnyOrigin();
        else
            policy.WithOrigins([.. options.Origins]);
        if (options.CredentialsAllowed && !options.IsAnyOrigin)
            policy.AllowCredentials();
        policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders(CorsRequestHeaders)
            .WithExposedHeaders(CorsExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }
}
