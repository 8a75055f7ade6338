using System.Net;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// Only a request that carries a token goes through the authentication middleware: an anonymous
/// publish, stream or read skips it (and the DI scope and handler it would build), while every token
/// is still checked. Counted at the scheme provider, which the middleware asks once per pass.
/// </summary>
public sealed class AuthenticationPassTests
{
    [Fact]
    public async Task AnonymousRequests_SkipTheAuthenticationMiddleware_TokenRequestsGoThroughIt()
    {
        var probe = new CountingSchemes();
        var settings = new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key, ["Hub:Auth:AllowAnonymousPublish"] = "true" };
        await using var server = await HubServer.StartAsync(settings, services: services =>
            services.AddSingleton<IAuthenticationSchemeProvider>(sp => probe.Wrap(sp.GetRequiredService<IOptions<AuthenticationOptions>>())));

        using (var published = await server.Client.SendAsync(Tokens.Publish("auth.pass", "anonymous", token: null)))
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await using (var stream = await SseStream.OpenAsync(server.Client, "/topics/auth.pass/events"))
        {
        }
        using (var history = await server.Client.SendAsync(Tokens.Get("/topics/auth.pass/events")))
            Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal(0, probe.MiddlewarePasses);

        using (var published = await server.Client.SendAsync(Tokens.Publish("auth.pass", "with a token", Tokens.Hs(publish: ["auth.*"]))))
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(1, probe.MiddlewarePasses);

        // A bad token is still looked at, and refused.
        using var tampered = await server.Client.SendAsync(Tokens.Publish("auth.pass", "tampered", Tokens.Tampered()));
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(2, probe.MiddlewarePasses);
    }

    private sealed class CountingSchemes
    {
        private int _passes;

        public int MiddlewarePasses => Volatile.Read(ref _passes);

        public IAuthenticationSchemeProvider Wrap(IOptions<AuthenticationOptions> options) => new Provider(this, options);

        // AuthenticationMiddleware asks for the request-handler schemes once per request it handles;
        // nothing else in the hub asks for them.
        private sealed class Provider(CountingSchemes counter, IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
        {
            public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
            {
                Interlocked.Increment(ref counter._passes);
                return base.GetRequestHandlerSchemesAsync();
            }
        }
    }
}
