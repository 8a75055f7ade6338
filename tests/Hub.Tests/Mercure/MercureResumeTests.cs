using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;
using static Hub.Tests.Mercure.MercureTestTokens;

namespace Hub.Tests.Mercure;

/// <summary>Hub-wide ids: resuming after an update by Last-Event-ID (header or lastEventID), earliest, unknown ids.</summary>
[Collection(MercureHubCollection.Name)]
public sealed class MercureResumeTests(MercureHubFixture hub)
{
    private HttpClient Client => hub.Server.Client;

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    public async Task Resume_AfterAnId_ReplaysWhatFollowsAcrossAllMatchingTopics_AndSaysWhereItStarted(string via)
    {
        var prefix = $"https://example.com/{Guid.NewGuid():N}";
        var ids = new List<string>();
        foreach (var (topic, data) in new[] { ("books/1", "one"), ("users/1", "two"), ("books/2", "three"), ("other/1", "skipped"), ("books/1", "four") })
            ids.Add(await PublishAsync($"{prefix}/{topic}", data));

        var path = Subscribe(prefix + "/books/{id}", prefix + "/users/1") + (via == "query" ? "&lastEventID=" + Uri.EscapeDataString(ids[0]) : "");
        await using var stream = await SseStream.OpenAsync(Client, path, lastEventId: via == "header" ? ids[0] : null, waitUntilAttached: false);

        Assert.Equal(ids[0], stream.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal(["two", "three", "four"], (await stream.NextAsync(3)).Select(i => i.Data));
        Assert.Equal(ids[4], stream.LastEventId);
        await PublishAsync($"{prefix}/books/3", "live");
        Assert.Equal("live", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task Resume_HeaderWinsOverQuery()
    {
        var topic = MercureHubFixture.NewTopic();
        var first = await PublishAsync(topic, "first");
        var second = await PublishAsync(topic, "second");
        await PublishAsync(topic, "third");
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic) + "&lastEventID=" + Uri.EscapeDataString(first), lastEventId: second, waitUntilAttached: false);
        Assert.Equal(second, stream.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal("third", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task Resume_FromEarliest_ReplaysAllRetainedHistory()
    {
        var topic = MercureHubFixture.NewTopic();
        await PublishAsync(topic, "a");
        await PublishAsync(topic, "b");
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic), lastEventId: "earliest", waitUntilAttached: false);
        Assert.Equal("earliest", stream.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal(["a", "b"], (await stream.NextAsync(2)).Select(i => i.Data));
    }

    [Fact]
    public async Task Resume_FromAnUnknownId_ReplaysNothing_AnswersEarliest_AndGoesLive()
    {
        var topic = MercureHubFixture.NewTopic();
        await PublishAsync(topic, "before");
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic), lastEventId: "urn:uuid:never-published", waitUntilAttached: false);
        Assert.Equal("earliest", stream.Response.Headers.GetValues("Last-Event-ID").Single());
        await PublishAsync(topic, "after");
        Assert.Equal("after", (await stream.NextAsync()).Data);
    }

    [Fact]
    public async Task Resume_ReplaysOnlyUpdatesTheSubscriberMaySee()
    {
        var topic = MercureHubFixture.NewTopic();
        var start = await PublishAsync(topic, "start");
        using (var request = Publish(topic, "private", isPrivate: true))
        using (var response = await Client.SendAsync(request))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await PublishAsync(topic, "public");
        await using var anonymous = await SseStream.OpenAsync(Client, Subscribe(topic), lastEventId: start, waitUntilAttached: false);
        Assert.Equal("public", (await anonymous.NextAsync()).Data);
    }

    [Fact]
    public async Task NoLastEventId_StartsLive_WithoutTheHeader()
    {
        var topic = MercureHubFixture.NewTopic();
        await PublishAsync(topic, "old");
        await using var stream = await SseStream.OpenAsync(Client, Subscribe(topic), waitUntilAttached: false);
        Assert.False(stream.Response.Headers.Contains("Last-Event-ID"));
        await PublishAsync(topic, "new");
        Assert.Equal("new", (await stream.NextAsync()).Data);
    }

    private async Task<string> PublishAsync(string topic, string data)
    {
        using var request = Publish(topic, data);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
