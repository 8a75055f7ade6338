using System.Diagnostics;
using System.Text.Json;
using Hub.Api.Subscriptions;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Resume;

[Collection(HubServerCollection.Name)]
public class HistoryTests(HubServerFixture fixture, ITestOutputHelper output)
{
    private HttpClient Client => fixture.Server.Client;

    private async Task<JsonDocument> GetPageAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static long[] Sequences(JsonDocument page) =>
        [.. page.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64())];

    [Fact]
    public async Task History_PagesAfterASequence()
    {
        var topic = HubServerFixture.NewTopic();
        for (var i = 1; i <= 7; i++)
            await Client.PublishAsync(topic, $"{i}", "news");
        using var page = await GetPageAsync($"topics/{topic}/events?after=2&limit=3");
        Assert.Equal([3L, 4L, 5L], Sequences(page));
        var first = page.RootElement.GetProperty("events")[0];
        Assert.Equal("news", first.GetProperty("type").GetString());
        Assert.Equal("3", first.GetProperty("data").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("id").GetString()));
        Assert.True(first.TryGetProperty("time", out _));
        Assert.Equal(7, page.RootElement.GetProperty("head").GetInt64());
    }

    [Fact]
    public async Task LongPoll_ReturnsEarly_WhenANewEventArrives()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "1");
        var clock = Stopwatch.StartNew();
        var poll = GetPageAsync($"topics/{topic}/events?after=1&wait=30");
        // Publish only once the poll is waiting on the node's live feed of the topic, so the wait path is what answers.
        var feeds = fixture.Server.Services.GetRequiredService<TopicFeeds>();
        while (!feeds.Snapshot().Any(f => f.Topic == topic && f.ConnectionCount > 0))
        {
            Assert.False(poll.IsCompleted, "the long-poll answered before any event arrived");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the long-poll never started waiting");
            await Task.Delay(10);
        }
        await Client.PublishAsync(topic, "2");
        using var page = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([2L], Sequences(page));
        output.WriteLine($"a 30 s long-poll answered after {clock.Elapsed.TotalMilliseconds:0} ms");
        // The promise is "early": well before the 30 s it would wait without an event.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the long-poll waited for its whole time although an event arrived");
    }

    [Fact]
    public async Task LongPoll_ReturnsEmpty_WhenTimeIsUp()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "1");
        var clock = Stopwatch.StartNew();
        using var page = await GetPageAsync($"topics/{topic}/events?after=1&wait=1");
        Assert.Empty(Sequences(page));
        output.WriteLine($"a 1 s long-poll with nothing new answered after {clock.Elapsed.TotalMilliseconds:0} ms");
        // The promise is the wait itself: not an immediate empty answer.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"returned after {clock.Elapsed}");
    }

    [Theory]
    [InlineData("after=-1")]
    [InlineData("after=x")]
    [InlineData("limit=0")]
    [InlineData("limit=100000")]
    [InlineData("wait=61")]
    public async Task History_BadParameters_Are400(string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"topics/{HubServerFixture.NewTopic()}/events?{query}");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
