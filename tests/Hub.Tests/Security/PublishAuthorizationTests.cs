using System.Net;
using Xunit;

namespace Hub.Tests.Security;

public sealed class PublishAuthorizationTests(SecuredHubFixture hub) : IClassFixture<SecuredHubFixture>
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task Publish_WithoutToken_Is401ProblemAndNothingStored()
    {
        using var response = await Client.SendAsync(Tokens.Publish("pub-anon", "x", token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Empty(await Tokens.HistoryAsync(Client, "pub-anon"));
    }

    [Fact]
    public async Task Publish_WithTokenForOtherTopics_Is403AndNothingStored()
    {
        using var response = await Client.SendAsync(Tokens.Publish("pub-other", "x", Tokens.Hs(publish: ["news", "status.*"], subscribe: ["*"])));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("pub-other", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Tokens.HistoryAsync(Client, "pub-other"));
    }

    [Theory]
    [InlineData("pub-exact", "pub-exact")]
    [InlineData("pub-wild.eu.db", "pub-wild.*")]
    [InlineData("anything", "*")]
    public async Task Publish_WithGrantingToken_IsStored(string topic, string grant)
    {
        var before = (await Tokens.HistoryAsync(Client, topic)).Count;
        using var response = await Client.SendAsync(Tokens.Publish(topic, "granted", Tokens.Hs(publish: [grant])));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(before + 1, (await Tokens.HistoryAsync(Client, topic)).Count);
    }

    [Theory]
    [InlineData("cookie")]
    [InlineData("query")]
    public async Task Publish_WithTokenOutsideAuthorizationHeader_Is401(string source)
    {
        var token = Tokens.Hs(publish: ["*"]);
        var path = source == "query" ? $"topics/pub-browser/events?access_token={token}" : "topics/pub-browser/events";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("x", System.Text.Encoding.UTF8, "text/plain") };
        if (source == "cookie")
            request.Headers.Add("Cookie", $"hub_token={token}");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Authorization: Bearer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Tokens.HistoryAsync(Client, "pub-browser"));
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "forged (other key)", Tokens.Hs(publish: ["*"], key: "an-entirely-different-key-0123456789abcdef") },
        { "expired", Tokens.Hs(publish: ["*"], lifetime: TimeSpan.FromMinutes(1), now: DateTimeOffset.UtcNow.AddHours(-1)) },
        { "not yet valid", Tokens.Hs(publish: ["*"], notBefore: DateTimeOffset.UtcNow.AddHours(1), lifetime: TimeSpan.FromHours(2)) },
        { "alg none", Tokens.AlgNone() },
        { "tampered payload", Tokens.Tampered() },
        { "garbage", "not.a.token" },
        { "empty segments", ".." },
        { "huge", new string('a', 300_000) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Publish_WithBadToken_Is401AndHistoryIntact(string kind, string token)
    {
        var before = await Tokens.HistoryAsync(Client, "pub-bad");
        using var response = await Client.SendAsync(Tokens.Publish("pub-bad", "x", token));
        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.RequestHeaderFieldsTooLarge, $"{kind}: {(int)response.StatusCode}");
        Assert.Equal(before, await Tokens.HistoryAsync(Client, "pub-bad"));
    }

    [Fact]
    public async Task Subscribe_PublicTopicWithExpiredToken_Is401()
    {
        var expired = Tokens.Hs(subscribe: ["*"], lifetime: TimeSpan.FromMinutes(1), now: DateTimeOffset.UtcNow.AddHours(-1));
        using var response = await Client.SendAsync(Tokens.Get("topics/public-news/events", expired, "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
