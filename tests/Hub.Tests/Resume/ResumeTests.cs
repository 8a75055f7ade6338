using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Api.Cursors;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Resume;

[Collection(HubServerCollection.Name)]
public class ResumeTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task Resume_OneTopic_ContinuesExactlyAfterTheLastId()
    {
        var topic = HubServerFixture.NewTopic();
        string cursor;
        await using (var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events"))
        {
            for (var i = 1; i <= 3; i++)
                await Client.PublishAsync(topic, $"{i}");
            var seen = await sse.NextAsync(3);
            Assert.Equal(["1", "2", "3"], seen.Select(e => e.Data));
            cursor = seen[^1].EventId!;
        }
        for (var i = 4; i <= 6; i++)
            await Client.PublishAsync(topic, $"{i}");

        await using var resumed = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: cursor);
        await Client.PublishAsync(topic, "7");
        var events = await resumed.NextAsync(4);
        Assert.Equal(["4", "5", "6", "7"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task Resume_ManyTopics_ResumesEachFromItsOwnPosition()
    {
        string[] topics = [HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b"), HubServerFixture.NewTopic("c")];
        var path = "events?" + string.Join("&", topics.Select(t => $"topic={t}"));
        string cursor;
        await using (var sse = await SseStream.OpenAsync(Client, path))
        {
            await Client.PublishAsync(topics[0], "a1");
            await Client.PublishAsync(topics[1], "b1");
            await Client.PublishAsync(topics[0], "a2");
            var seen = await sse.NextAsync(3);
            // Each topic keeps its own order; across topics there is no order to keep.
            Assert.Equal(["a1", "a2"], seen.Select(e => e.Data).Where(d => d[0] == 'a'));
            Assert.Contains("b1", seen.Select(e => e.Data));
            cursor = seen[^1].EventId!;
        }
        await Client.PublishAsync(topics[1], "b2");
        await Client.PublishAsync(topics[2], "c1");
        await Client.PublishAsync(topics[0], "a3");

        // Topic order in the query does not matter: the cursor belongs to the set.
        var reversed = "events?" + string.Join("&", topics.Reverse().Select(t => $"topic={t}"));
        await using var resumed = await SseStream.OpenAsync(Client, reversed, lastEventId: cursor);
        var events = await resumed.NextAsync(3);
        Assert.Equal(["a3", "b2", "c1"], events.Select(e => e.Data).Order());
        await Client.PublishAsync(topics[2], "c2");
        Assert.Equal("c2", (await resumed.NextAsync()).Data);
    }

    [Fact]
    public async Task Resume_QueryParameter_Works_AndTheHeaderWins()
    {
        var topic = HubServerFixture.NewTopic();
        var first = await Client.PublishAsync(topic, "1");
        await Client.PublishAsync(topic, "2");

        await using (var byQuery = await SseStream.OpenAsync(Client, $"topics/{topic}/events?lastEventId={first.Id}"))
            Assert.Equal("2", (await byQuery.NextAsync()).Data);

        // A garbage query value is ignored when the header carries a good cursor.
        await using var byHeader = await SseStream.OpenAsync(Client, $"topics/{topic}/events?lastEventId=garbage", lastEventId: first.Id);
        Assert.Equal("2", (await byHeader.NextAsync()).Data);
    }

    [Fact]
    public async Task Earliest_ReplaysAllRetainedHistory()
    {
        var topic = HubServerFixture.NewTopic();
        for (var i = 1; i <= 5; i++)
            await Client.PublishAsync(topic, $"{i}");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?lastEventId=earliest");
        Assert.Equal(["1", "2", "3", "4", "5"], (await sse.NextAsync(5)).Select(e => e.Data));
    }

    [Fact]
    public async Task NoCursor_StartsLive()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "old");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events");
        await Client.PublishAsync(topic, "new");
        Assert.Equal("new", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task Cursor_OfOtherTopics_Is400()
    {
        var ack = await Client.PublishAsync(HubServerFixture.NewTopic(), "x");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{HubServerFixture.NewTopic()}/events");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", ack.Id);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("different set of topics", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EpochChange_SendsResetThenOldest()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "1");
        await Client.PublishAsync(topic, "2");
        // A cursor from an earlier life of the topic's log (as after a data loss): same topic, other epoch.
        var stale = Cursor.Encode(TopicSet.Of([topic]), [new TopicPosition("lostlog0", 7)]);
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: stale);
        var reset = await sse.NextAsync();
        Assert.Equal("hub.reset", reset.EventType);
        using var data = JsonDocument.Parse(reset.Data);
        Assert.Equal(topic, data.RootElement.GetProperty("topic").GetString());
        Assert.Equal("epoch-changed", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal(1, data.RootElement.GetProperty("resumedFrom").GetInt64());
        Assert.Equal(["1", "2"], (await sse.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task PostSubscribe_StreamsTheSameWay()
    {
        string[] topics = [HubServerFixture.NewTopic("p"), HubServerFixture.NewTopic("q")];
        await Client.PublishAsync(topics[0], "p1");
        await Client.PublishAsync(topics[0], "p2");
        using var body = JsonContent.Create(new { topics, lastEventId = "earliest" });
        await using var sse = await SseStream.OpenAsync(Client, "subscribe", body: body);
        Assert.Equal(["p1", "p2"], (await sse.NextAsync(2)).Select(e => e.Data));
        await Client.PublishAsync(topics[1], "q1");
        Assert.Equal("q1", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task PostSubscribe_BadBodies_Are4xx()
    {
        using var notJson = new StringContent("topics=a", Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Client.PostAsync("subscribe", notJson)).StatusCode);
        using var broken = new StringContent("{\"topics\":[", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("subscribe", broken)).StatusCode);
        using var none = new StringContent("{\"topics\":[]}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("subscribe", none)).StatusCode);
    }
}
