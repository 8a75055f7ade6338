using System.Net;
using System.Text;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// Bounded work per anonymous request: <c>POST /subscribe</c> refuses a body over
/// <c>Hub:Subscriptions:MaxBodyBytes</c> while reading it, and counts topics before looking at any name.
/// </summary>
[Collection(HubServerCollection.Name)]
public sealed class RequestBoundsTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task SubscribeBody_OverTheLimit_Is413WithoutBeingParsed()
    {
        // 20 MB of topic names, as in the issue: the declared length alone is enough to refuse it.
        var names = Enumerable.Range(0, 1_300_000).Select(i => $"topic-{i:D7}");
        var body = JsonSerializer.Serialize(new { topics = names });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync("subscribe", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Hub:Subscriptions:MaxBodyBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribeBody_ChunkedOverTheLimit_Is413WhileReading()
    {
        // No Content-Length: only counting while reading can tell, and the body is valid JSON up to the limit.
        // Just over the 64 KiB limit: the hub refuses without reading the rest and closes, and a client still
        // writing then fails with a broken pipe before it reads the 413 (CI: 200 KB did, once), while a few
        // KB past the limit are already in the socket's buffers when the answer comes.
        var body = "{\"topics\":[\"" + new string('a', 100) + "\"],\"lastEventId\":\"" + new string('x', 66 * 1024) + "\"}";
        using var content = new ChunkedContent(Encoding.UTF8.GetBytes(body));

        using var response = await Client.PostAsync("subscribe", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TopicCount_IsCheckedBeforeAnyName()
    {
        // 65 names that are each invalid: the answer is about the count, so no name was looked at first.
        var body = JsonSerializer.Serialize(new { topics = Enumerable.Repeat("bad name{", 65) });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync("subscribe", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 64 topics", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribeBody_WithinTheLimit_StillOpensAStream()
    {
        var topic = HubServerFixture.NewTopic("bounds");
        using var body = new StringContent(JsonSerializer.Serialize(new { topics = new[] { topic } }), Encoding.UTF8, "application/json");
        await using var sse = await SseStream.OpenAsync(Client, "subscribe", body: body);
        var ack = await Client.PublishAsync(topic, "fits");
        var received = await sse.NextAsync();
        Assert.Equal(("fits", ack.Id), (received.Data, received.EventId));
    }

    /// <summary>A body sent with <c>Transfer-Encoding: chunked</c> (its length is not computed up front).</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < _bytes.Length; at += 16 * 1024)
                await stream.WriteAsync(_bytes.AsMemory(at, Math.Min(16 * 1024, _bytes.Length - at)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
