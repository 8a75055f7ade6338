using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

[Collection(HubServerCollection.Name)]
public class PublishAndStreamTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task Subscriber_ReceivesIdsTypesAndMultiLineData()
    {
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events");
        var first = await Client.PublishAsync(topic, "line one\r\nline two\rline three\nline four", "status");
        using (var text = new StringContent("plain body", Encoding.UTF8, "text/plain"))
            (await Client.PostAsync($"topics/{topic}/events?type=note", text)).EnsureSuccessStatusCode();
        using (var json = new StringContent("{\"data\":{\"cpu\": 0.5, \"ok\": true}}", Encoding.UTF8, "application/json"))
            (await Client.PostAsync($"topics/{topic}/events", json)).EnsureSuccessStatusCode();

        var events = await sse.NextAsync(3);
        Assert.Equal(["status", "note", "message"], events.Select(e => e.EventType));
        Assert.Equal("line one\nline two\nline three\nline four", events[0].Data);
        Assert.Equal("plain body", events[1].Data);
        Assert.Equal("{\"cpu\":0.5,\"ok\":true}", events[2].Data);
        Assert.Equal(first.Id, events[0].EventId);
        Assert.Equal(1, first.Sequence);
        Assert.All(events, e => Assert.DoesNotContain(e.EventId!, c => char.IsWhiteSpace(c)));
        Assert.Equal(3, events.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task Stream_HasSseHeaders_AndStartsWithRetryBeforeAnyEvent()
    {
        var topic = HubServerFixture.NewTopic();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events");
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.False(response.Content.Headers.ContentEncoding.Count > 0);

        // Nothing was published: the first bytes arrive anyway, because headers and retry are flushed at once.
        using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        using var cts = new CancellationTokenSource(SseStream.DefaultTimeout);
        var line = await reader.ReadLineAsync(cts.Token);
        Assert.Equal("retry: 2000", line);
    }

    [Fact]
    public async Task ManySubscribers_OnOneTopic_AllReceiveEveryEventInOrder()
    {
        const int subscribers = 100;
        const int events = 40;
        var topic = HubServerFixture.NewTopic();
        var streams = await Task.WhenAll(Enumerable.Range(0, subscribers).Select(_ => SseStream.OpenAsync(Client, $"topics/{topic}/events")));
        try
        {
            for (var i = 0; i < events; i++)
                await Client.PublishAsync(topic, $"{i}");
            var received = await Task.WhenAll(streams.Select(s => s.NextAsync(events)));
            foreach (var list in received)
                Assert.Equal(Enumerable.Range(0, events).Select(i => $"{i}"), list.Select(e => e.Data));
        }
        finally
        {
            foreach (var s in streams)
                await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task TopicInfo_ReportsHeadOldestAndEpoch()
    {
        var topic = HubServerFixture.NewTopic();
        var ack = await Client.PublishAsync(topic, "x");
        await Client.PublishAsync(topic, "y");
        var info = await Client.GetStringAsync($"topics/{topic}");
        Assert.Contains("\"head\":2", info, StringComparison.Ordinal);
        Assert.Contains("\"oldest\":1", info, StringComparison.Ordinal);
        Assert.Contains(ack.Id.Split('.')[1].Split(':')[0], info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_LiveAndReady_Answer200()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("health/ready")).StatusCode);
    }
}
