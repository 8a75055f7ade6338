using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

public sealed class PrivateTopicTests(SecuredHubFixture hub) : IClassFixture<SecuredHubFixture>
{
    private HttpClient Client => hub.Server.Client;

    private static readonly string Publisher = Tokens.Hs(publish: ["*"], subject: "private-publisher");

    [Theory]
    [InlineData("topics/secret.a/events")]
    [InlineData("topics/secret.a/events?lastEventId=earliest")]
    [InlineData("events?topic=secret.a")]
    public async Task Subscribe_PrivateTopicWithoutToken_Is401BeforeTheStream(string path)
    {
        await PublishAsync("secret.a", "hidden");
        using var response = await Client.SendAsync(Tokens.Get(path, accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("hidden", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_MixedPublicAndPrivate_IsRefusedWhole()
    {
        var newsOnly = Tokens.Hs(subscribe: ["news"]);
        using var anonymous = await Client.SendAsync(Tokens.Get("events?topic=news&topic=secret.b", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var ungranted = await Client.SendAsync(Tokens.Get("events?topic=news&topic=secret.b", newsOnly, "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var post = new HttpRequestMessage(HttpMethod.Post, "subscribe")
        {
            Content = new StringContent("""{"topics":["news","secret.b"],"lastEventId":"earliest"}""", Encoding.UTF8, "application/json"),
        };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", newsOnly);
        using var posted = await Client.SendAsync(post, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ungranted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        foreach (var response in new[] { anonymous, ungranted, posted })
        {
            var detail = await response.Content.ReadAsStringAsync();
            Assert.Contains("whole subscription is refused", detail, StringComparison.Ordinal);
            Assert.Contains("secret.b", detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("topics/secret.h/events?after=0")]
    [InlineData("topics/secret.h/events?after=1&wait=1")]
    [InlineData("topics/secret.h")]
    public async Task HistoryLongPollAndInfo_OfPrivateTopic_NeedAGrant(string path)
    {
        await PublishAsync("secret.h", "hidden-history");
        using var anonymous = await Client.SendAsync(Tokens.Get(path));
        using var wrong = await Client.SendAsync(Tokens.Get(path, Tokens.Hs(subscribe: ["secret.other"])));
        using var granted = await Client.SendAsync(Tokens.Get(path, Tokens.Hs(subscribe: ["secret.*"])));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.DoesNotContain("hidden-history", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("hidden-history", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("cookie")]
    [InlineData("query")]
    public async Task Subscribe_WithGrantingToken_ReceivesLiveAndReplayedPrivateEvents(string source)
    {
        var topic = $"secret.{source}";
        await PublishAsync(topic, "before");
        var token = Tokens.Hs(subscribe: ["secret.*"]);
        using var client = ClientWithToken(source, token);
        var path = $"topics/{topic}/events?lastEventId=earliest" + (source == "query" ? $"&access_token={token}" : "");
        await using var stream = await SseStream.OpenAsync(client, path);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("before", (await stream.NextAsync()).Data);
        await PublishAsync(topic, "after");
        Assert.Equal("after", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task Subscription_ToPrivateTopic_StaysOpenUntilTheTokenExpires_AndClosesAtExpiry()
    {
        var token = Tokens.Hs(subscribe: ["secret.*"], lifetime: TimeSpan.FromSeconds(3));
        // The fixture's clock skew is zero, so the token is good until its exp claim, to the second.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(ExpClaim(token));
        using var client = ClientWithToken("header", token);
        await using var expiring = await SseStream.OpenAsync(client, "topics/secret.expiring/events");
        // The same token on a public topic: an expiry that closed it too would not be about the private grant.
        await using var control = await SseStream.OpenAsync(client, "topics/public-control/events");
        Assert.Equal(HttpStatusCode.OK, expiring.Response.StatusCode);

        await PublishAsync("secret.expiring", "while valid");
        Assert.Equal("while valid", (await expiring.NextAsync()).Data);
        Assert.True(DateTimeOffset.UtcNow < expiresAt, "the event arrived before expiry");
        Assert.False(expiring.Completion.IsCompleted, "the stream is open while the token is valid");

        await expiring.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        var closedAt = DateTimeOffset.UtcNow;
        // Not before the token expired (a few ms for the clocks of timer and test to differ).
        Assert.True(closedAt >= expiresAt - TimeSpan.FromMilliseconds(50), $"closed at {closedAt:O}, before expiry at {expiresAt:O}");
        await PublishAsync("public-control", "still open");
        Assert.Equal("still open", (await control.NextAsync()).Data);
    }

    private static long ExpClaim(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var document = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload));
        return document.RootElement.GetProperty("exp").GetInt64();
    }

    [Fact]
    public async Task Subscription_ToPublicTopic_OutlivesItsToken()
    {
        var token = Tokens.Hs(subscribe: ["secret.*"], lifetime: TimeSpan.FromSeconds(1));
        using var client = ClientWithToken("header", token);
        await using var stream = await SseStream.OpenAsync(client, "topics/public-outlives/events");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past the expiry on purpose: nothing to await
        await PublishAsync("public-outlives", "still open");
        Assert.Equal("still open", (await stream.NextAsync()).Data);
    }

    private HttpClient ClientWithToken(string source, string token)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = hub.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        if (source == "header")
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (source == "cookie")
            client.DefaultRequestHeaders.Add("Cookie", $"hub_token={token}");
        return client;
    }

    private async Task PublishAsync(string topic, string data)
    {
        using var response = await Client.SendAsync(Tokens.Publish(topic, data, Publisher));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
