using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Subscriber tokens: where they come from, which one wins, what a bad one gets, and when the stream ends.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureAuthorizationTests(MercureHubFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    [InlineData("cookie")]
    public async Task PrivateUpdate_ReachesASubscriberWithTheTokenIn(string source)
    {
        var topic = MercureHubFixture.NewTopic();
        var token = Create(subscribe: [topic]);
        using var client = NewClient(hub.Server.Address, header: source == "header" ? token : null, cookie: source == "cookie" ? token : null);
        var path = Subscribe(topic) + (source == "query" ? "&authorization=" + token : "");
        await using var stream = await SseStream.OpenAsync(client, path, waitUntilAttached: false);
        await PublishAsync(topic, "private", isPrivate: true);
        Assert.Equal("private", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task HeaderToken_WinsOverQueryAndCookie()
    {
        var topic = MercureHubFixture.NewTopic();
        var granting = Create(subscribe: [topic]);
        var notGranting = Create(subscribe: ["https://example.com/nothing"]);
        using var client = NewClient(hub.Server.Address, header: notGranting, cookie: granting);
        await using var stream = await SseStream.OpenAsync(client, Subscribe(topic) + "&authorization=" + granting, waitUntilAttached: false);
        await PublishAsync(topic, "private", isPrivate: true);
        await PublishAsync(topic, "public");
        Assert.Equal("public", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task QueryToken_WinsOverCookie()
    {
        var topic = MercureHubFixture.NewTopic();
        using var client = NewClient(hub.Server.Address, cookie: Create(subscribe: [topic]));
        await using var stream = await SseStream.OpenAsync(client, Subscribe(topic) + "&authorization=" + Create(subscribe: ["https://example.com/nothing"]), waitUntilAttached: false);
        await PublishAsync(topic, "private", isPrivate: true);
        await PublishAsync(topic, "public");
        Assert.Equal("public", (await stream.NextAsync()).Data);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    [InlineData("cookie")]
    public async Task InvalidToken_Is401BeforeTheStream(string source)
    {
        var bad = Create(subscribe: ["*"], key: "another-key-0123456789abcdef-0123456789abc");
        using var client = NewClient(hub.Server.Address, header: source == "header" ? bad : null, cookie: source == "cookie" ? bad : null);
        using var response = await client.GetAsync(Subscribe("*") + (source == "query" ? "&authorization=" + bad : ""), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        using var client = NewClient(hub.Server.Address, header: Create(subscribe: ["*"], lifetime: TimeSpan.FromSeconds(-10)));
        using var response = await client.GetAsync(Subscribe("*"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Stream_ClosesWhenTheSubscribersTokenExpires()
    {
        var topic = MercureHubFixture.NewTopic();
        // Long enough for the first update to arrive on a loaded machine; the stream must then end by itself.
        using var client = NewClient(hub.Server.Address, header: Create(subscribe: [topic], lifetime: TimeSpan.FromSeconds(6)));
        await using var stream = await SseStream.OpenAsync(client, Subscribe(topic), waitUntilAttached: false);
        await PublishAsync(topic, "while valid");
        Assert.Equal("while valid", (await stream.NextAsync()).Data);
        await stream.Completion.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Cors_PreflightAllowsTheMercureHeaders()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Cors:AllowedOrigins:0"] = MercureHubFixture.AppOrigin });
        using var request = new HttpRequestMessage(HttpMethod.Options, ".well-known/mercure?topic=a");
        request.Headers.Add("Origin", MercureHubFixture.AppOrigin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,cache-control,last-event-id");
        using var response = await server.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(MercureHubFixture.AppOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var allowed = string.Join(',', response.Headers.GetValues("Access-Control-Allow-Headers")).ToUpperInvariant();
        Assert.All(new[] { "AUTHORIZATION", "CACHE-CONTROL", "LAST-EVENT-ID" }, h => Assert.Contains(h, allowed, StringComparison.Ordinal));
    }

    private async Task PublishAsync(string topic, string data, bool isPrivate = false)
    {
        using var request = Publish(topic, data, isPrivate: isPrivate);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
