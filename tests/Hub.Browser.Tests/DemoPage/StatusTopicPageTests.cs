using System.Net.Http.Json;
using Hub.Browser.Tests.Infrastructure;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Browser.Tests.DemoPage;

/// <summary>The demo page opening with the current state (<c>?rewind=state</c>) and with the last event (<c>?rewind=1</c>), in Chromium.</summary>
public sealed class StatusTopicPageTests
{
    [Fact]
    public async Task StartFromTheCurrentState_ShowsTheLatestEventPerKey_WithItsTopic_ThenLiveEvents()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await PublishKeyedAsync(server.Client, "board", "db", "db up");
        await PublishKeyedAsync(server.Client, "board", "api", "api up");
        await server.Client.PublishAsync("board", "a note", "note");
        await PublishKeyedAsync(server.Client, "board", "db", "db down");
        await server.Client.PublishAsync("other", "unkeyed", "status");

        await page.ConnectAsync("board other", from: "rewind:state");
        await page.WaitForRowsAsync(2);
        Assert.Equal(["board#2 status api up", "board#4 status db down"], (await page.RowsAsync()).Select(r => r.ToString()));

        await server.Client.PublishAsync("other", "live", "status");
        await page.WaitForRowsAsync(3);
        Assert.Equal("other#2 status live", (await page.RowsAsync())[^1].ToString());
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task StartFromTheLastEvent_ShowsOnlyTheLastEvent_ThenLiveEvents()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await server.Client.PublishAsync("news", "old", "status");
        await server.Client.PublishAsync("news", "newest", "status");

        await page.ConnectAsync("news", from: "rewind:1");
        await page.WaitForRowsAsync(1);
        await server.Client.PublishAsync("news", "live", "status");
        await page.WaitForRowsAsync(2);
        Assert.Equal(["news#2 status newest", "news#3 status live"], (await page.RowsAsync()).Select(r => r.ToString()));
        Assert.Empty(browser.PageErrors);
    }

    private static async Task PublishKeyedAsync(HttpClient client, string topic, string key, string data)
    {
        using var response = await client.PostAsJsonAsync($"topics/{topic}/events", new { type = "status", key, data });
        response.EnsureSuccessStatusCode();
    }
}
