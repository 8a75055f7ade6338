using System.Net;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// What the request pipeline leaves out for speed, and what that assumes: no authorization middleware
/// (handlers decide topic access), CORS only for requests with an Origin header, and no rate limiter on
/// publishes when the limit is off.
/// </summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task NoEndpoint_CarriesAuthorizationOrCorsMetadata()
    {
        // With the admin password set, the dashboard and status page are mapped too: every endpoint is here.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Admin:Password"] = "an-admin-password-long-enough" });
        var endpoints = Endpoints(server);
        Assert.Contains(endpoints, e => e.DisplayName?.Contains("/dashboard", StringComparison.Ordinal) == true);
        // Such an endpoint would need the authorization middleware, which the hub does not run: ASP.NET
        // Core would refuse every request to it.
        Assert.All(endpoints, e => Assert.Empty(e.Metadata.GetOrderedMetadata<IAuthorizeData>()));
        Assert.All(endpoints, e => Assert.Empty(e.Metadata.GetOrderedMetadata<IAuthorizationRequirementData>()));
        // CORS runs only for requests with an Origin header; an endpoint with CORS metadata would need it on
        // every request.
        Assert.All(endpoints, e => Assert.Null(e.Metadata.GetMetadata<ICorsMetadata>()));
    }

    [Theory]
    [InlineData("1000", true)]
    [InlineData("0", false)]
    public async Task PublishEndpoints_AreRateLimited_OnlyWhenTheLimitIsOn(string perSecond, bool limited)
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Limits:PublishRequestsPerSecond"] = perSecond,
            ["Hub:Mercure:Enabled"] = "true",
        });
        var publishes = Endpoints(server).Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true
            && e is RouteEndpoint { RoutePattern.RawText: "/topics/{topic}/events" or "/.well-known/mercure" }).ToList();
        Assert.Equal(2, publishes.Count);
        Assert.All(publishes, e => Assert.Equal(limited, e.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null));
    }

    [Fact]
    public async Task BareErrorStatuses_GetProblemDetails_AndThePublishEndpointWritesItsOwn()
    {
        await using var server = await HubServer.StartAsync();
        // The publish endpoint skips status code pages (the middleware does not even run for it)...
        var publish = Assert.Single(Endpoints(server), e => e is RouteEndpoint { RoutePattern.RawText: "/topics/{topic}/events" }
            && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);
        Assert.NotNull(publish.Metadata.GetMetadata<ISkipStatusCodePagesMetadata>());
        // ...because every error it answers carries its own problem details.
        var topic = HubServerFixture.NewTopic();
        foreach (var (target, body, status) in new[]
        {
            (topic, "{", HttpStatusCode.BadRequest),
            (topic, "{\"type\":\"bad type\",\"data\":\"x\"}", HttpStatusCode.BadRequest),
            ("~internal", "{\"data\":\"x\"}", HttpStatusCode.BadRequest),
            (topic, "{\"data\":\"" + new string('x', 4 << 20) + "\"}", HttpStatusCode.RequestEntityTooLarge),
        })
        {
            using var response = await server.Client.PostAsync($"topics/{target}/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"status\":" + (int)status, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // Everything else still gets the status code pages' problem details for a bare status.
        using (var missing = await server.Client.GetAsync("no-such-page"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }
        using (var method = await server.Client.DeleteAsync($"topics/{topic}/events"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
            Assert.Equal("application/problem+json", method.Content.Headers.ContentType?.MediaType);
        }
    }

    private static List<Endpoint> Endpoints(HubServer server) =>
        [.. server.Services.GetRequiredService<EndpointDataSource>().Endpoints];
}
