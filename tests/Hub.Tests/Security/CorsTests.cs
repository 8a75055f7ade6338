using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

public sealed class CorsTests
{
    private const string App = "https://app.example.com";

    [Fact]
    public async Task ExplicitOrigins_GetCredentialedCors_OthersGetNone()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Cors:AllowedOrigins:0"] = App });
        using var allowed = await server.Client.SendAsync(Preflight(App));
        using var other = await server.Client.SendAsync(Preflight("https://evil.example"));
        using var actual = await server.Client.SendAsync(Actual(App));

        Assert.Equal(App, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(allowed, "Access-Control-Allow-Credentials"));
        var allowedHeaders = Header(allowed, "Access-Control-Allow-Headers")!.ToUpperInvariant();
        Assert.Contains("AUTHORIZATION", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("LAST-EVENT-ID", allowedHeaders, StringComparison.Ordinal);
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
        Assert.Equal(App, Header(actual, "Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", Header(actual, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStream_GetsTheSameCorsHeaders_ForAnAllowedOriginOnly()
    {
        // Streams skip the CORS middleware (they take a branch at the front of the pipeline) and apply the
        // policy themselves: the headers must be the middleware's.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Cors:AllowedOrigins:0"] = App });
        using var allowed = await server.Client.SendAsync(Stream(App), HttpCompletionOption.ResponseHeadersRead);
        using var other = await server.Client.SendAsync(Stream("https://evil.example"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("text/event-stream", allowed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(App, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(allowed, "Access-Control-Allow-Credentials"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnyOrigin_NeverAllowsCredentials()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Cors:AllowedOrigins:0"] = "*" });
        using var preflight = await server.Client.SendAsync(Preflight("https://anyone.example"));
        Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task NoOriginsConfigured_SendsNoCorsHeaders()
    {
        await using var server = await HubServer.StartAsync();
        using var preflight = await server.Client.SendAsync(Preflight(App));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "topics/news/events");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,last-event-id");
        return request;
    }

    private static HttpRequestMessage Actual(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "topics/news");
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static HttpRequestMessage Stream(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "topics/news/events");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Accept", "text/event-stream");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
