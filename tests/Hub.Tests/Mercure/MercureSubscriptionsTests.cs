using System.Net;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureSubscriptionsFixture;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Mercure's subscription API: the listings, their access rule, ETag and lastEventID.</summary>
[Collection(MercureSubscriptionsCollection.Name)]
public sealed class MercureSubscriptionsTests(MercureSubscriptionsFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task List_OfAFreshHub_IsAnEmptyCollection_WithLastEventIdEarliest()
    {
        await using var fresh = await StartAsync();
        var list = await ReadAsync(fresh.Client, PathOf());
        Assert.Equal("https://mercure.rocks/", list.GetProperty("@context").GetString());
        Assert.Equal("/.well-known/mercure/subscriptions", list.GetProperty("id").GetString());
        Assert.Equal("Subscriptions", list.GetProperty("type").GetString());
        Assert.Equal("earliest", list.GetProperty("lastEventID").GetString());
        Assert.Equal(0, list.GetProperty("subscriptions").GetArrayLength());
    }

    [Fact]
    public async Task List_HasEverySelectorOfASubscriber_WithOneSubscriberId_AndTheTokensPayload()
    {
        var books = MercureHubFixture.NewTopic();
        var template = books + "/{part}";
        using var client = NewClient(hub.Server.Address, header: Create(subscribe: [books], payload: new Dictionary<string, object> { ["user"] = "alice" }));
        await using var stream = await SseStream.OpenAsync(client, Subscribe(books, template), waitUntilAttached: false);

        using var response = await GetAsync(Client, PathOf(), Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var exact = Assert.Single(Of(list, books));
        var templated = Assert.Single(Of(list, template));
        var subscriber = exact.GetProperty("subscriber").GetString()!;
        Assert.StartsWith("urn:uuid:", subscriber, StringComparison.Ordinal);
        Assert.Equal(subscriber, templated.GetProperty("subscriber").GetString());
        Assert.Equal("Subscription", exact.GetProperty("type").GetString());
        Assert.True(exact.GetProperty("active").GetBoolean());
        Assert.Equal("alice", exact.GetProperty("payload").GetProperty("user").GetString());
        Assert.Equal("/" + PathOf(books, subscriber), exact.GetProperty("id").GetString());
        Assert.Equal("/" + PathOf(template, subscriber), templated.GetProperty("id").GetString());
        Assert.False(exact.TryGetProperty("@context", out _));
        Assert.NotEqual("earliest", list.GetProperty("lastEventID").GetString());
    }

    [Fact]
    public async Task List_ByTopic_HasOnlyThatSelectorsSubscriptions()
    {
        var topic = MercureHubFixture.NewTopic();
        var other = MercureHubFixture.NewTopic();
        await using var first = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        await using var second = await SseStream.OpenAsync(Client, Subscribe(topic, other), waitUntilAttached: false);

        var list = await ReadAsync(Client, PathOf(topic));
        Assert.Equal("/" + PathOf(topic), list.GetProperty("id").GetString());
        var subscriptions = list.GetProperty("subscriptions").EnumerateArray().ToList();
        Assert.Equal(2, subscriptions.Count);
        Assert.All(subscriptions, s => Assert.Equal(topic, s.GetProperty("topic").GetString()));
        Assert.Equal(2, subscriptions.Select(s => s.GetProperty("subscriber").GetString()).Distinct().Count());
        Assert.Equal(0, (await ReadAsync(Client, PathOf(MercureHubFixture.NewTopic()))).GetProperty("subscriptions").GetArrayLength());
    }

    [Fact]
    public async Task Subscription_BySubscriber_IsItsDocument_WithContextAndLastEventId_And404WhenUnknown()
    {
        var topic = MercureHubFixture.NewTopic();
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        var subscriber = Assert.Single((await ReadAsync(Client, PathOf(topic))).GetProperty("subscriptions").EnumerateArray()).GetProperty("subscriber").GetString()!;

        var one = await ReadAsync(Client, PathOf(topic, subscriber));
        Assert.Equal("https://mercure.rocks/", one.GetProperty("@context").GetString());
        Assert.Equal("/" + PathOf(topic, subscriber), one.GetProperty("id").GetString());
        Assert.Equal(topic, one.GetProperty("topic").GetString());
        Assert.Equal(subscriber, one.GetProperty("subscriber").GetString());
        Assert.True(one.GetProperty("active").GetBoolean());
        Assert.False(string.IsNullOrEmpty(one.GetProperty("lastEventID").GetString()));

        using var unknown = await GetAsync(Client, PathOf(topic, "urn:uuid:" + Guid.NewGuid()), Reader);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Subscriber_LeavesTheList_WhenItDisconnects()
    {
        var topic = MercureHubFixture.NewTopic();
        var stream = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        Assert.Single((await ReadAsync(Client, PathOf(topic))).GetProperty("subscriptions").EnumerateArray());
        await stream.DisposeAsync();
        await Eventually.TrueAsync(
            async () => (await ReadAsync(Client, PathOf(topic))).GetProperty("subscriptions").GetArrayLength() == 0,
            "the closed subscription has left the list");
    }

    [Fact]
    public async Task ETag_AnswersIfNoneMatchWith304_UntilTheListChanges()
    {
        var topic = MercureHubFixture.NewTopic();
        await using var first = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        // Any update moves the lastEventID the document holds; retry until two reads see the same log head.
        string? etag = null;
        await Eventually.TrueAsync(async () =>
        {
            using var read = await GetAsync(Client, PathOf(topic), Reader);
            etag = read.Headers.ETag!.ToString();
            using var again = await GetAsync(Client, PathOf(topic), Reader, ifNoneMatch: etag);
            return again.StatusCode == HttpStatusCode.NotModified && again.Headers.ETag!.ToString() == etag;
        }, "a conditional read of an unchanged list answers 304");

        await using var second = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        using var changed = await GetAsync(Client, PathOf(topic), Reader, ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task List_WithoutAToken_Is401Problem()
    {
        using var response = await GetAsync(Client, PathOf());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task List_WithATokenThatDoesNotMatchItsUrl_Is403Problem()
    {
        var topic = MercureHubFixture.NewTopic();
        // Granted the subscriptions of one topic only: that collection, not the whole list nor another topic's.
        var oneTopic = Create(subscribe: ["/" + PathOf(topic) + "{/subscriber}"]);
        using var allowed = await GetAsync(Client, PathOf(topic), oneTopic);
        using var all = await GetAsync(Client, PathOf(), oneTopic);
        using var another = await GetAsync(Client, PathOf(MercureHubFixture.NewTopic()), oneTopic);
        using var publisherOnly = await GetAsync(Client, PathOf(), PublishToken);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.All([all, another, publisherOnly], r =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
    }

    [Fact]
    public async Task List_WithAnInvalidToken_Is401()
    {
        using var response = await GetAsync(Client, PathOf(), Create(subscribe: ["*"], key: "another-key-0123456789abcdef-0123456789abc"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Path_WithMoreSegmentsThanTopicAndSubscriber_Is404Problem()
    {
        using var response = await GetAsync(Client, PathOf("a", "b") + "/c", Reader);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

/// <summary>The subscription API is off unless <c>Hub:Mercure:SubscriptionsApi</c> turns it on.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureSubscriptionsOffTests(MercureHubFixture hub)
{
    [Theory]
    [InlineData("")]
    [InlineData("/https%3A%2F%2Fexample.com%2Fbooks%2F1")]
    [InlineData("/https%3A%2F%2Fexample.com%2Fbooks%2F1/urn%3Auuid%3A1")]
    public async Task SubscriptionApi_IsOffByDefault_404(string rest)
    {
        using var response = await GetAsync(hub.Server.Client, ".well-known/mercure/subscriptions" + rest, Reader);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
