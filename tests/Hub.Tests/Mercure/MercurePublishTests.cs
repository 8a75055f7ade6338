using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Publishing to <c>/.well-known/mercure</c>: the form, its refusals, and who may publish.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercurePublishTests(MercureHubFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task SymfonyHubPublish_ReplayedByteForByte_IsAnsweredWithThePostedId_AndReachesAnEventSource()
    {
        // What Symfony's Mercure component sends for
        //   new Update(['https://example.com/books/1', 'https://example.com/users/dunglas'], '{"status":"OutOfStock"}', true, 'urn:uuid:…', 'book.update', 1500)
        // through HttpClient: the form of Internal\QueryBuilder::build (http_build_query without [] suffixes,
        // RFC 1738 encoding, null fields left out) with Content-Type application/x-www-form-urlencoded.
        var book = $"https://example.com/books/{Guid.NewGuid():N}";
        using var subscriber = NewClient(hub.Server.Address, cookie: Create(subscribe: [book]));
        await using var stream = await SseStream.OpenAsync(subscriber, Subscribe(book), waitUntilAttached: false);

        var id = $"urn:uuid:{Guid.NewGuid():D}";
        var body = "topic=" + Rfc1738(book) + "&topic=https%3A%2F%2Fexample.com%2Fusers%2Fdunglas"
            + "&data=%7B%22status%22%3A%22OutOfStock%22%7D&private=on&id=" + Rfc1738(id) + "&type=book.update&retry=1500";
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure")
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes(body)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Create(publish: ["*"]));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(id, await response.Content.ReadAsStringAsync());
        var item = await stream.NextAsync();
        Assert.Equal("book.update", item.EventType);
        Assert.Equal("""{"status":"OutOfStock"}""", item.Data);
        Assert.Equal(id, stream.LastEventId);
    }

    [Fact]
    public async Task Publish_WithoutId_GetsAGeneratedUrnUuid()
    {
        using var response = await Client.SendAsync(Publish(MercureHubFixture.NewTopic(), "no id"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(id["urn:uuid:".Length..], out _));
    }

    [Fact]
    public async Task Publish_WithCharsetSuffix_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure")
        {
            Content = new StringContent("topic=x&data=y", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PublishToken);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("data=no+topic", "topic")]
    [InlineData("topic=&data=x", "empty")]
    [InlineData("topic=a&id=%23hash", "'#'")]
    [InlineData("topic=a&id=a%0Ab", "CR, LF or NUL")]
    [InlineData("topic=a&id=a%0Db", "CR, LF or NUL")]
    [InlineData("topic=a&id=a%00b", "CR, LF or NUL")]
    [InlineData("topic=a&id=earliest", "reserved")]
    [InlineData("topic=a&type=a%0Aid%3A+x", "CR, LF or NUL")]
    [InlineData("topic=a&retry=-1", "unsigned integer")]
    [InlineData("topic=a&retry=1.5", "unsigned integer")]
    [InlineData("topic=a&retry=", "unsigned integer")]
    [InlineData("topic=https%3A%2F%2Fexample.com%2F.well-known%2Fmercure%2Fsubscriptions%2Fx", "reserved")]
    [InlineData("topic=a&data=1&data=2", "given 2 times")]
    public async Task MalformedForm_Is400Problem(string body, string detail)
    {
        using var response = await Client.SendAsync(Form(body, PublishToken));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_NotAForm_Is415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure") { Content = new StringContent("""{"topic":"a"}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PublishToken);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Publish_LargerThanTheDataLimit_Is413()
    {
        using var response = await Client.SendAsync(Publish(MercureHubFixture.NewTopic(), new string('x', 70_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Publish_WithoutToken_Is401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure") { Content = new FormUrlEncodedContent([new("topic", "a"), new("data", "x")]) };
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Publish_WithInvalidToken_Is401()
    {
        using var response = await Client.SendAsync(Publish("a", "x", Create(publish: ["*"], key: "another-key-0123456789abcdef-0123456789abc")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_EveryTopicMustBeCoveredByThePublishClaim()
    {
        var token = Create(publish: ["https://example.com/books/{id}"]);
        using var covered = await Client.SendAsync(Publish([new("topic", "https://example.com/books/1"), new("data", "x")], token));
        using var partly = await Client.SendAsync(Publish([new("topic", "https://example.com/books/1"), new("topic", "https://example.com/users/1"), new("data", "x")], token));
        using var subscribeOnly = await Client.SendAsync(Publish([new("topic", "https://example.com/books/1"), new("data", "x")], Create(subscribe: ["*"])));
        Assert.Equal(HttpStatusCode.OK, covered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, partly.StatusCode);
        Assert.Contains("https://example.com/users/1", await partly.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, subscribeOnly.StatusCode);
    }

    [Theory]
    [InlineData(null, null, HttpStatusCode.Forbidden)]
    [InlineData("https://evil.example", null, HttpStatusCode.Forbidden)]
    [InlineData(MercureHubFixture.AppOrigin, null, HttpStatusCode.OK)]
    [InlineData(null, MercureHubFixture.AppOrigin + "/admin/books", HttpStatusCode.OK)]
    [InlineData(null, "https://evil.example/page", HttpStatusCode.Forbidden)]
    public async Task Publish_AuthenticatedByCookie_NeedsAPublishOrigin(string? origin, string? referer, HttpStatusCode expected)
    {
        using var client = NewClient(hub.Server.Address, cookie: Create(publish: ["*"]));
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure") { Content = new FormUrlEncodedContent([new("topic", "a"), new("data", "x")]) };
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        if (referer is not null)
            request.Headers.Referrer = new Uri(referer);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Publish_WithTokenInTheQuery_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure?authorization=" + PublishToken) { Content = new FormUrlEncodedContent([new("topic", "a"), new("data", "x")]) };
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Form(string body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure") { Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>PHP's urlencode: RFC 1738, as http_build_query uses by default.</summary>
    private static string Rfc1738(string text) => Uri.EscapeDataString(text).Replace("%20", "+", StringComparison.Ordinal);
}
