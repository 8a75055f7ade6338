using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Rewind;

/// <summary>Keyed events, <c>GET /topics/{topic}/state</c> and <c>?rewind=state</c>.</summary>
[Collection(HubServerCollection.Name)]
public class StateTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    internal static async Task<Publisher.Ack> PublishKeyedAsync(HttpClient client, string topic, string key, string data)
    {
        using var response = await client.PostAsJsonAsync($"topics/{topic}/events", new { type = "status", key, data });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Publisher.Ack>(JsonSerializerOptions.Web))!;
    }

    /// <summary>db up, api up, an unkeyed note, db down: the state is api up (2) and db down (4).</summary>
    private async Task<string> StatusBoardAsync()
    {
        var topic = HubServerFixture.NewTopic("status");
        await PublishKeyedAsync(Client, topic, "db", "db up");
        await PublishKeyedAsync(Client, topic, "api", "api up");
        await Client.PublishAsync(topic, "a note");
        await PublishKeyedAsync(Client, topic, "db", "db down");
        return topic;
    }

    [Fact]
    public async Task State_ReturnsTheLatestEventOfEveryKey_OldestFirst_AndACursorAtItsHead()
    {
        var topic = await StatusBoardAsync();
        using var state = JsonDocument.Parse(await Client.GetStringAsync($"topics/{topic}/state"));
        var root = state.RootElement;
        Assert.Equal(4, root.GetProperty("head").GetInt64());
        var events = root.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["api", "db"], events.Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(["api up", "db down"], events.Select(e => e.GetProperty("data").GetString()));
        Assert.Equal([2L, 4], events.Select(e => e.GetProperty("sequence").GetInt64()));

        // The state's id resumes exactly after it.
        await Client.PublishAsync(topic, "after");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: root.GetProperty("id").GetString());
        Assert.Equal("after", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task TextPlainPublish_TakesItsKeyFromTheQuery()
    {
        var topic = HubServerFixture.NewTopic();
        using var body = new StringContent("disk 91%", Encoding.UTF8, "text/plain");
        (await Client.PostAsync($"topics/{topic}/events?type=status&key=host-1", body)).EnsureSuccessStatusCode();
        using var state = JsonDocument.Parse(await Client.GetStringAsync($"topics/{topic}/state"));
        var only = Assert.Single(state.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal("host-1", only.GetProperty("key").GetString());
        Assert.Equal("disk 91%", only.GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("{\"data\":\"x\",\"key\":\"\"}")]
    [InlineData("{\"data\":\"x\",\"key\":\"has space\"}")]
    [InlineData("{\"data\":\"x\",\"key\":\"line\\nbreak\"}")]
    [InlineData("{\"data\":\"x\",\"key\":5}")]
    [InlineData("[{\"data\":\"x\",\"key\":\"ok\"},{\"data\":\"y\",\"key\":\"n/o\"}]")]
    public async Task BadKey_Is400Problem(string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync($"topics/{HubServerFixture.NewTopic()}/events", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooLongKey_Is400_AndTheLongestIsAccepted()
    {
        var topic = HubServerFixture.NewTopic();
        using var ok = await Client.PostAsJsonAsync($"topics/{topic}/events", new { data = "x", key = new string('k', 128) });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var tooLong = await Client.PostAsJsonAsync($"topics/{topic}/events", new { data = "x", key = new string('k', 129) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var text = new StringContent("x", Encoding.UTF8, "text/plain");
        using var badQuery = await Client.PostAsync($"topics/{topic}/events?key=a%20b", text);
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
    }

    [Fact]
    public async Task RewindState_OneTopic_StartsWithTheStateWithRealIds_ThenGoesLive()
    {
        var topic = await StatusBoardAsync();
        var history = JsonDocument.Parse(await Client.GetStringAsync($"topics/{topic}/state"));
        var ids = history.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();

        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=state");
        var state = await sse.NextAsync(2);
        Assert.Equal(["api up", "db down"], state.Select(e => e.Data));
        Assert.Equal(ids, state.Select(e => e.EventId));
        Assert.All(state, e => Assert.Equal("status", e.EventType));

        await PublishKeyedAsync(Client, topic, "api", "api down");
        Assert.Equal("api down", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindState_OnATopicWithoutKeys_StartsLive()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "unkeyed");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=state");
        await Client.PublishAsync(topic, "live");
        Assert.Equal("live", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindState_ManyTopics_EachStartsWithItsOwnState()
    {
        var board = await StatusBoardAsync();
        var other = HubServerFixture.NewTopic("zz");
        await PublishKeyedAsync(Client, other, "eu", "eu green");
        await Client.PublishAsync(other, "unkeyed");

        await using var sse = await SseStream.OpenAsync(Client, $"events?topic={board}&topic={other}&rewind=state");
        var data = (await sse.NextAsync(3)).Select(e => e.Data).ToList();
        Assert.Equal(["api up", "db down", "eu green"], data);

        await PublishKeyedAsync(Client, other, "eu", "eu red");
        Assert.Equal("eu red", (await sse.NextAsync()).Data);
        await Client.PublishAsync(board, "board note");
        Assert.Equal("board note", (await sse.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindState_InAPostBody()
    {
        var topic = await StatusBoardAsync();
        using var body = JsonContent.Create(new { topics = new[] { topic }, rewind = "state" });
        await using var sse = await SseStream.OpenAsync(Client, "subscribe", body: body);
        Assert.Equal(["api up", "db down"], (await sse.NextAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task RewindState_ACursorWins()
    {
        var topic = await StatusBoardAsync();
        string cursor;
        await using (var first = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=state"))
        {
            await first.NextAsync(2);
            await PublishKeyedAsync(Client, topic, "web", "web up");
            Assert.Equal("web up", (await first.NextAsync()).Data);
            cursor = first.LastEventId!;
        }
        await PublishKeyedAsync(Client, topic, "db", "db up again");
        await using var again = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=state", lastEventId: cursor);
        Assert.Equal("db up again", (await again.NextAsync()).Data);
    }

    [Fact]
    public async Task RewindState_AReconnectFromTheMiddleOfTheState_MissesNoKey()
    {
        var topic = await StatusBoardAsync();
        string afterFirst;
        await using (var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events?rewind=state"))
            afterFirst = (await sse.NextAsync()).EventId!; // "api up" (2): the client leaves here
        await using var again = await SseStream.OpenAsync(Client, $"topics/{topic}/events", lastEventId: afterFirst);
        // Exact after 2: the note (3) and db down (4), nothing lost.
        Assert.Equal(["a note", "db down"], (await again.NextAsync(2)).Select(e => e.Data));
    }
}
