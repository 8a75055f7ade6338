using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Subscribing to <c>/.well-known/mercure</c>: selectors, the delivery rule, framing, the stream's shape.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureSubscribeTests(MercureHubFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Fact]
    public async Task Subscribe_WithoutTopic_Is400Problem()
    {
        using var response = await Client.GetAsync(".well-known/mercure");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stream_IsEventStream_OpenedWithAComment_AndKeptAlive()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Subscribe(MercureHubFixture.NewTopic()));
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        await using var body = await response.Content.ReadAsStreamAsync();
        var seen = await ReadUntilAsync(body, ": keep-alive\n");
        Assert.StartsWith(":\n", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExactSelector_ReceivesTheUpdate_WithThePublishersIdTypeRetryAndData()
    {
        var topic = MercureHubFixture.NewTopic();
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        using var published = await Client.SendAsync(Publish(
            [new("topic", topic), new("data", "line one\nline two\r\nline three"), new("id", "book-1-v2"), new("type", "book.updated"), new("retry", "4321")],
            PublishToken));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("book-1-v2", await published.Content.ReadAsStringAsync());

        var item = await stream.NextAsync();
        Assert.Equal("book.updated", item.EventType);
        Assert.Equal("line one\nline two\nline three", item.Data);
        Assert.Equal("book-1-v2", stream.LastEventId);
        Assert.Equal(TimeSpan.FromMilliseconds(4321), stream.Retry);
    }

    [Fact]
    public async Task TemplateSelector_ReceivesMatchingTopicsOnly()
    {
        var books = $"https://example.com/{Guid.NewGuid():N}/books";
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(books + "/{id}"), waitUntilAttached: false);
        await PublishOkAsync(Publish($"{books}/1/reviews", "a review"));
        await PublishOkAsync(Publish($"{books.Replace("books", "authors", StringComparison.Ordinal)}/1", "an author"));
        await PublishOkAsync(Publish($"{books}/2", "book two"));
        Assert.Equal("book two", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task StarSelector_ReceivesEveryPublicUpdate()
    {
        await using var stream = await SseStream.OpenAsync(Client, Subscribe("*"), waitUntilAttached: false);
        var marker = Guid.NewGuid().ToString("N");
        await PublishOkAsync(Publish(MercureHubFixture.NewTopic("anything"), marker));
        await NextWithDataAsync(stream, marker);
    }

    [Fact]
    public async Task PrivateUpdate_ReachesOnlySubscribersWhoseTokenCoversOneOfItsTopics()
    {
        var topic = MercureHubFixture.NewTopic();
        using var granted = NewClient(hub.Server.Address, header: Create(subscribe: [topic]));
        using var other = NewClient(hub.Server.Address, header: Create(subscribe: ["https://example.com/other/{id}"]));
        await using var anonymousStream = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        await using var grantedStream = await SseStream.OpenAsync(granted, Subscribe(topic), waitUntilAttached: false);
        await using var otherStream = await SseStream.OpenAsync(other, Subscribe(topic), waitUntilAttached: false);

        await PublishOkAsync(Publish(topic, "private", isPrivate: true));
        await PublishOkAsync(Publish(topic, "public"));

        Assert.Equal("private", (await grantedStream.NextAsync()).Data);
        Assert.Equal("public", (await grantedStream.NextAsync()).Data);
        Assert.Equal("public", (await anonymousStream.NextAsync()).Data);
        Assert.Equal("public", (await otherStream.NextAsync()).Data);
    }

    [Fact]
    public async Task PrivateUpdate_IsGrantedThroughAnAlternateTopic()
    {
        var canonical = MercureHubFixture.NewTopic();
        var alternate = MercureHubFixture.NewTopic("users");
        using var client = NewClient(hub.Server.Address, header: Create(subscribe: [alternate]));
        await using var stream = await SseStream.OpenAsync(client, Subscribe(canonical), waitUntilAttached: false);
        await PublishOkAsync(Publish([new("topic", canonical), new("topic", alternate), new("data", "via alternate"), new("private", "")], PublishToken));
        Assert.Equal("via alternate", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task UpdateWithSeveralMatchingTopics_IsDeliveredOncePerConnection()
    {
        var prefix = $"https://example.com/{Guid.NewGuid():N}";
        var a = $"{prefix}/books/1";
        var b = $"{prefix}/users/1";
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(a, b, prefix + "/books/{id}"), waitUntilAttached: false);
        await PublishOkAsync(Publish([new("topic", a), new("topic", b), new("data", "once")], PublishToken));
        await PublishOkAsync(Publish(a, "next"));
        Assert.Equal("once", (await stream.NextAsync()).Data);
        Assert.Equal("next", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task NativeApi_RefusesTheInternalUpdateLog()
    {
        using var subscribe = await Client.GetAsync("topics/~mercure/events?lastEventId=earliest", HttpCompletionOption.ResponseHeadersRead);
        using var history = await Client.SendAsync(Hub.Tests.Security.Tokens.Get("topics/~mercure/events?after=0"));
        using var info = await Client.GetAsync("topics/~mercure");
        using var publish = await Client.SendAsync(Hub.Tests.Security.Tokens.Publish("~mercure", "forged", Hub.Tests.Security.Tokens.Hs(publish: ["*"])));
        Assert.All([subscribe, history, info, publish], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    private async Task PublishOkAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await Client.SendAsync(request))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task NextWithDataAsync(SseStream stream, string data)
    {
        while ((await stream.NextAsync()).Data != data)
        {
        }
    }

    private static async Task<string> ReadUntilAsync(Stream body, string marker)
    {
        using var timeout = new CancellationTokenSource(SseStream.DefaultTimeout);
        var buffer = new byte[256];
        var seen = "";
        while (!seen.Contains(marker, StringComparison.Ordinal))
        {
            var n = await body.ReadAsync(buffer, timeout.Token);
            if (n == 0)
                throw new InvalidOperationException("The stream ended.");
            seen += Utf8(buffer[..n]);
        }
        return seen;
    }
}
