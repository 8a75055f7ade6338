using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// docs/security.md: a subscriber's token comes from the Authorization header, else the cookie named by
/// <c>Hub:Auth:CookieName</c>, else <c>access_token</c>; and <c>Hub:Auth:ClockSkew</c> (30 s) tolerates a
/// token just past its exp. The wrong token in each row is valid but grants nothing here, so only which
/// token the hub took decides the answer.
/// </summary>
public sealed class TokenSourceTests
{
    private const string Topic = "secret.sources";

    private static readonly string Granting = Tokens.Hs(subscribe: ["secret.*"]);
    private static readonly string NotGranting = Tokens.Hs(subscribe: ["other.*"]);

    [Theory]
    [InlineData("header,cookie", true)]
    [InlineData("header,cookie", false)]
    [InlineData("header,query", false)]
    [InlineData("cookie,query", true)]
    [InlineData("cookie,query", false)]
    public async Task Token_HeaderWinsThenCookieThenQuery(string present, bool winnerGrants)
    {
        string[] order = ["header", "cookie", "query"];
        var sources = present.Split(',');
        var winner = order.First(sources.Contains);
        string? TokenIn(string source) => !sources.Contains(source) ? null : (source == winner) == winnerGrants ? Granting : NotGranting;
        await using var server = await StartAsync(cookieName: "my_token");

        using var response = await SubscribeAsync(server, TokenIn("header"), ("my_token", TokenIn("cookie")), TokenIn("query"));

        Assert.Equal(winnerGrants ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("my_token", HttpStatusCode.OK)]
    [InlineData("hub_token", HttpStatusCode.Unauthorized)]
    public async Task CookieName_IsTheConfiguredOne_NotTheDefault(string sentAs, HttpStatusCode expected)
    {
        await using var server = await StartAsync(cookieName: "my_token");
        using var response = await SubscribeAsync(server, null, (sentAs, Granting), null);
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(null, 10, HttpStatusCode.Created)]
    [InlineData(null, 40, HttpStatusCode.Unauthorized)]
    [InlineData("00:00:00", 10, HttpStatusCode.Unauthorized)]
    [InlineData("00:01:00", 40, HttpStatusCode.Created)]
    public async Task ClockSkew_ToleratesATokenThatExpiredWithinIt(string? skew, int expiredSecondsAgo, HttpStatusCode expected)
    {
        var settings = new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key };
        // No key at all for the default: a key with a null value would bind as zero.
        if (skew is not null)
            settings["Hub:Auth:ClockSkew"] = skew;
        await using var server = await HubServer.StartAsync(settings);
        var lifetime = TimeSpan.FromMinutes(5);
        var token = Tokens.Hs(publish: ["*"], lifetime: lifetime, now: DateTimeOffset.UtcNow - lifetime - TimeSpan.FromSeconds(expiredSecondsAgo));
        using var response = await server.Client.SendAsync(Tokens.Publish("skew", "x", token));
        Assert.Equal(expected, response.StatusCode);
    }

    private static Task<HubServer> StartAsync(string cookieName) => HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Auth:SigningKey"] = Tokens.Key,
        ["Hub:Auth:PrivateTopics:0"] = "secret.*",
        ["Hub:Auth:CookieName"] = cookieName,
    });

    private static async Task<HttpResponseMessage> SubscribeAsync(HubServer server, string? header, (string Name, string? Value) cookie, string? query)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        var path = $"topics/{Topic}/events" + (query is null ? "" : $"?access_token={query}");
        using var request = Tokens.Get(path, header, accept: "text/event-stream");
        if (cookie.Value is not null)
            request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // Only the status matters: stop reading an open stream at once.
        response.Content.Dispose();
        return response;
    }
}
