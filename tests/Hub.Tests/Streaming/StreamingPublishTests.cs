using System.Net;
using System.Text;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Streaming;

/// <summary>Streamed publishes (<c>text/event-stream</c>, <c>application/x-ndjson</c>) against the real app with default limits.</summary>
[Collection(HubServerCollection.Name)]
public sealed class StreamingPublishTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task EventStream_PipedFromAnUpstreamServer_StoresEachEvent_TypesFromEventField_StopsAtDone()
    {
        // Comments, a line split across two writes, CRLF, multi-line data, an invalid and a reserved type,
        // an upstream id and retry, and data after the [DONE] sentinel.
        await using var upstream = await FakeUpstream.StartAsync(
        [
            ": connected\n\n",
            "retry: 1000\nid: up-1\ndata: Hel",
            "lo\n\n",
            "event: delta\r\ndata: line one\r\ndata: line two\r\n\r\n",
            ": keep-alive\n",
            "event: not valid!\ndata: typed badly\n\n",
            "event: hub.reset\ndata: reserved type\n\n",
            "data: [DONE]\n\n",
            "data: after done\n\n",
        ]);
        var topic = HubServerFixture.NewTopic("chat");
        using var answer = await Client.GetAsync(upstream.Address, HttpCompletionOption.ResponseHeadersRead);
        var body = new StreamContent(await answer.Content.ReadAsStreamAsync());
        body.Headers.ContentType = answer.Content.Headers.ContentType;

        var published = await StreamedPublish.PostAsync(Client, topic, body);

        Assert.Equal(HttpStatusCode.Created, published.Status);
        Assert.Equal(4, published.Count);
        Assert.Equal(1, published.Body.GetProperty("firstSequence").GetInt64());
        Assert.Equal(4, published.LastSequence);
        Assert.Equal(
            [(1L, "message", "Hello"), (2L, "delta", "line one\nline two"), (3L, "message", "typed badly"), (4L, "message", "reserved type")],
            await Tokens.HistoryAsync(Client, topic));
        // A viewer gets the hub's ids, not the upstream's.
        await using var viewer = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: "earliest");
        var events = await viewer.NextAsync(4);
        Assert.Equal(["Hello", "line one\nline two", "typed badly", "reserved type"], events.Select(e => e.Data));
        Assert.Equal(published.Body.GetProperty("lastId").GetString(), viewer.LastEventId);
    }

    [Fact]
    public async Task Ndjson_OneEventPerLine_BlankLinesAndCrlfAccepted_LastLineNeedsNoNewline()
    {
        var topic = HubServerFixture.NewTopic();

        var published = await StreamedPublish.PostAsync(Client, topic, "application/x-ndjson",
            "{\"type\":\"a\",\"data\":\"one\"}\r\n\n{\"data\":{\"k\":1}}\n{\"type\":\"b\",\"data\":\"last\"}");

        Assert.Equal(HttpStatusCode.Created, published.Status);
        Assert.Equal(3, published.Count);
        Assert.Equal([(1L, "a", "one"), (2L, "message", "{\"k\":1}"), (3L, "b", "last")], await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task Ndjson_MalformedLineMidStream_Is400NamingTheLine_AndKeepsTheEventsBeforeIt()
    {
        var topic = HubServerFixture.NewTopic();

        var published = await StreamedPublish.PostAsync(Client, topic, "application/x-ndjson",
            "{\"data\":\"one\"}\n{\"data\":\"two\"}\n{not json}\n{\"data\":\"four\"}\n");

        published.AssertStopped(HttpStatusCode.BadRequest, "Line 3", 2);
        Assert.Equal(2, published.LastSequence);
        Assert.Equal([(1L, "message", "one"), (2L, "message", "two")], await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task EventStream_EventThatIsNotUtf8_Is400NamingItsLastLine_AndKeepsTheEventsBeforeIt()
    {
        var topic = HubServerFixture.NewTopic();
        var body = new ByteArrayContent([.. Encoding.ASCII.GetBytes("data: fine\n\ndata: "), 0xff, 0xfe, (byte)'\n', (byte)'\n', .. Encoding.ASCII.GetBytes("data: never\n\n")]);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");

        var published = await StreamedPublish.PostAsync(Client, topic, body);

        published.AssertStopped(HttpStatusCode.BadRequest, "line 4", 1);
        Assert.Equal([(1L, "message", "fine")], await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task StreamedPublish_WithIdempotencyKey_Is400_AndStoresNothing()
    {
        var topic = HubServerFixture.NewTopic();

        var published = await StreamedPublish.PostAsync(Client, topic,
            new StringContent("data: x\n\n", Encoding.UTF8, "text/event-stream"), idempotencyKey: "k-1");

        Assert.Equal(HttpStatusCode.BadRequest, published.Status);
        Assert.Contains("Idempotency-Key", published.Detail, StringComparison.Ordinal);
        Assert.Empty(await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task ViewersFollowMidAnswer_ALateViewerGetsTheAnswerSoFar_AndOneThatDisconnectsResumesExactly()
    {
        var topic = HubServerFixture.NewTopic("chat");
        var body = new ChunkedBody("text/event-stream");
        var posting = StreamedPublish.PostAsync(Client, topic, body);
        var first = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: "earliest");

        // Each chunk reaches the viewer while the publisher's request is still open.
        for (var i = 1; i <= 3; i++)
        {
            await body.SendAsync($"data: chunk {i}\n\n");
            Assert.Equal($"chunk {i}", (await first.NextAsync()).Data);
        }
        Assert.False(posting.IsCompleted);

        // A viewer arriving mid-answer reads the answer so far, then follows live.
        await using var late = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: "earliest");
        Assert.Equal(["chunk 1", "chunk 2", "chunk 3"], (await late.NextAsync(3)).Select(e => e.Data));

        // The first viewer drops (a reload) and misses two chunks; it resumes from its last id.
        var resumeFrom = first.LastEventId!;
        await first.DisposeAsync();
        await body.SendAsync("data: chunk 4\n\n");
        await body.SendAsync("data: chunk 5\n\n");
        Assert.Equal(["chunk 4", "chunk 5"], (await late.NextAsync(2)).Select(e => e.Data));
        await using var resumed = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: resumeFrom);
        Assert.Equal(["chunk 4", "chunk 5"], (await resumed.NextAsync(2)).Select(e => e.Data));
        await body.SendAsync("data: chunk 6\n\ndata: [DONE]\n\n");
        Assert.Equal("chunk 6", (await resumed.NextAsync()).Data);
        Assert.Equal("chunk 6", (await late.NextAsync()).Data);

        body.End();
        var published = await posting.WaitAsync(SseStream.DefaultTimeout);
        Assert.Equal(HttpStatusCode.Created, published.Status);
        Assert.Equal(6, published.Count);
        Assert.Equal(resumed.LastEventId, published.Body.GetProperty("lastId").GetString());
    }

    [Fact]
    public async Task EventStream_ThatEndsWithoutEvents_Is200WithCountZero()
    {
        var published = await StreamedPublish.PostAsync(Client, HubServerFixture.NewTopic(), "text/event-stream", ": nothing but a comment\n\ndata: [DONE]\n\n");

        Assert.Equal(HttpStatusCode.OK, published.Status);
        Assert.Equal(0, published.Count);
        Assert.Null(published.LastSequence);
    }
}
