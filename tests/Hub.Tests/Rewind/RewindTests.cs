using System.Net;
using System.Net.Http.Json;
using System.Text;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Rewind;

/// <summary><c>?rewind=N</c> and <c>?rewind=30s</c>: a subscription that starts with recent history, then goes live exactly.</summary>
[Collection(HubServerCollection.Name)]
public class RewindTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task RewindCount_OneTopic_ReplaysTheLastEventsWithTheirRealIds_ThenGoesLive()
    {
        var topic = HubServerFixture.NewTopic();
        var acks = new List<Publisher.Ack>();
        for (var i = 1; i <= 5; i++)
            acks.Add(await Client.PublishAsync(topic, $"{i}"));

        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=2");
        var replayed = await sse.NextAsync(2);
        Assert.Equal(["4", "5"], replayed.Select(e => e.Data));
        Assert.Equal([acks[3].Id, acks[4].Id], replayed.Select(e => e.EventId));

        await Client.PublishAsync(topic, "6");
        Assert.Equal("6", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindCount_MoreThanTheTopicHas_ReplaysWhatThereIs()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "1");
        await Client.PublishAsync(topic, "2");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=1000");
        Assert.Equal(["1", "2"], (await sse.NextAsync(2)).Select(e => e.Data));
        await Client.PublishAsync(topic, "3");
        Assert.Equal("3", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindCount_OnAnEmptyTopic_StartsLive()
    {
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=3");
        await Client.PublishAsync(topic, "first");
        Assert.Equal("first", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindCount_ManyTopics_RewindsEachTopicOnItsOwn()
    {
        string[] topics = [HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b")];
        foreach (var data in new[] { "a1", "a2", "a3" })
            await Client.PublishAsync(topics[0], data);
        await Client.PublishAsync(topics[1], "b1");

        await using var sse = await SseStream.OpenAsync(Client, $"events?topic={topics[0]}&topic={topics[1]}&rewind=2");
        var replayed = (await sse.NextAsync(3)).Select(e => e.Data).ToList();
        Assert.Equal(["a2", "a3"], replayed.Where(d => d[0] == 'a'));
        Assert.Equal(["b1"], replayed.Where(d => d[0] == 'b'));

        await Client.PublishAsync(topics[1], "b2");
        Assert.Equal("b2", (await sse.NextAsync()).Data);
    }

    [Theory]
    [InlineData("{\"topics\":[\"TOPIC\"],\"rewind\":1}")]
    [InlineData("{\"topics\":[\"TOPIC\"],\"rewind\":\"1\"}")]
    public async Task RewindCount_InAPostSubscribeBody_AsNumberOrString(string body)
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "old");
        await Client.PublishAsync(topic, "last");
        using var content = new StringContent(body.Replace("TOPIC", topic, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        await using var sse = await SseStream.OpenAsync(Client, "subscribe", body: content);
        Assert.Equal("last", (await sse.NextAsync()).Data);
        await Client.PublishAsync(topic, "live");
        Assert.Equal("live", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task LastEventId_WinsOverRewind_SoAReconnectDoesNotReplayTheRewindAgain()
    {
        var topic = HubServerFixture.NewTopic();
        for (var i = 1; i <= 3; i++)
            await Client.PublishAsync(topic, $"{i}");
        string cursor;
        await using (var first = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=2"))
        {
            Assert.Equal(["2", "3"], (await first.NextAsync(2)).Select(e => e.Data));
            cursor = first.LastEventId!;
        }
        await Client.PublishAsync(topic, "4");

        // What a browser does: the same URL, rewind included, with its Last-Event-ID.
        await using var again = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=2", lastEventId: cursor);
        Assert.Equal("4", (await again.NextAsync()).Data);
        await Client.PublishAsync(topic, "5");
        Assert.Equal("5", (await again.NextAsync()).Data);
    }

    [Fact]
    public async Task LastEventIdInABody_WinsOverRewind()
    {
        var topic = HubServerFixture.NewTopic();
        var first = await Client.PublishAsync(topic, "1");
        await Client.PublishAsync(topic, "2");
        await Client.PublishAsync(topic, "3");
        using var body = JsonContent.Create(new { topics = new[] { topic }, lastEventId = first.Id, rewind = 1 });
        await using var sse = await SseStream.OpenAsync(Client, "subscribe", body: body);
        Assert.Equal(["2", "3"], (await sse.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task RewindDuration_ReplaysOnlyTheEventsNewerThanIt()
    {
        // Events stamped ten and two minutes ago, written to the log as the topic grain would have.
        var topic = HubServerFixture.NewTopic();
        var log = fixture.Server.Services.GetRequiredService<IEventLog>();
        var info = await log.GetInfoAsync(topic);
        var now = DateTimeOffset.UtcNow;
        await log.AppendAsync(topic, info.Epoch, 0, [new EventDraft("status", "ten"), new EventDraft("status", "ten too")], now.AddMinutes(-10));
        await log.AppendAsync(topic, info.Epoch, 2, [new EventDraft("status", "two")], now.AddMinutes(-2));
        await log.AppendAsync(topic, info.Epoch, 3, [new EventDraft("status", "now")], now);

        await using (var five = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=5m"))
            Assert.Equal(["two", "now"], (await five.NextAsync(2)).Select(e => e.Data));
        await using (var hour = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=1h"))
            Assert.Equal(["ten", "ten too", "two", "now"], (await hour.NextAsync(4)).Select(e => e.Data));
        await using var second = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=30s");
        Assert.Equal("now", (await second.NextAsync()).Data);
        await Client.PublishAsync(topic, "live");
        Assert.Equal("live", (await second.NextAsync()).Data);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5d")]
    [InlineData("1.5")]
    [InlineData("m")]
    [InlineData("9999999s")]
    [InlineData("1&rewind=2")]
    public async Task BadRewind_Is400Problem(string value)
    {
        var topic = HubServerFixture.NewTopic();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events?rewind={value}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rewind", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("[1]")]
    [InlineData("\"\"")]
    [InlineData("2000")]
    [InlineData("1.5")]
    public async Task BadRewind_InAPostBody_Is400Problem(string value)
    {
        var topic = HubServerFixture.NewTopic();
        using var body = new StringContent($"{{\"topics\":[\"{topic}\"],\"rewind\":{value}}}", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("subscribe", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("rewind", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRewind_IsRefused_EvenWithACursor()
    {
        var topic = HubServerFixture.NewTopic();
        var ack = await Client.PublishAsync(topic, "1");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events?rewind=lots");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", ack.Id);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
