using System.Net;
using System.Text.Json;
using Hub.Browser.Tests.Infrastructure;
using Hub.Tests.Streaming;
using Microsoft.Playwright;
using Xunit;

namespace Hub.Browser.Tests.StreamPage;

/// <summary>The streamed answer page (<c>/stream.html</c>) in a real Chromium against the real hub.</summary>
public sealed class StreamedAnswerPageTests
{
    private static readonly float Timeout = (float)BrowserSession.Timeout.TotalMilliseconds;

    [Fact]
    public async Task Chunks_RenderAsText_AnInjectedImgStaysText_AndAReloadMidAnswerResumesWithoutLossOrRepeat()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser) = (session.Server, session.Browser);
        var page = browser.Page;
        var topic = $"chat.{Guid.NewGuid():N}";
        await OpenAsync(page, topic);
        var body = new ChunkedBody("text/event-stream");
        var posting = server.Client.PostAsync($"topics/{topic}/events", body);

        string[] first = ["Hello ", "<img src=x onerror=alert(1)>", " world"];
        foreach (var part in first)
            await body.SendAsync(Chunk(part));
        await WaitForAnswerAsync(page, string.Concat(first));
        Assert.Equal(0, await page.Locator("#answer img").CountAsync());

        // A chunk goes out while the page reloads; it must show up once, after what was already shown.
        var reload = page.ReloadAsync();
        await body.SendAsync(Chunk(" during the reload"));
        await reload;
        await WaitForStateAsync(page, "open");
        await body.SendAsync(Chunk(", and after it."));
        await WaitForAnswerAsync(page, string.Concat(first) + " during the reload, and after it.");
        Assert.Equal("5", await page.TextContentAsync("#chunks"));

        await body.SendAsync("data: [DONE]\n\n");
        body.End();
        using var published = await posting;
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(0, await page.Locator("#answer img").CountAsync());
        Assert.Empty(browser.Dialogs);
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task StartButton_StreamsTheSimulatedAnswer_ThroughTheStreamedPublish()
    {
        await using var session = await DemoSession.OpenAsync();
        var page = session.Browser.Page;
        await OpenAsync(page, $"chat.{Guid.NewGuid():N}", "&chunksPerSecond=200");

        await page.ClickAsync("#start");

        await page.WaitForFunctionAsync(
            "() => document.querySelector('#answer').textContent.endsWith('markup in them stays visible text.')", null, new() { Timeout = Timeout });
        Assert.StartsWith("Server-Sent Events keep one HTTP response open", await page.TextContentAsync("#answer"), StringComparison.Ordinal);
        Assert.Empty(session.Browser.PageErrors);
    }

    private static string Chunk(string text) =>
        $"data: {JsonSerializer.Serialize(new { choices = new[] { new { delta = new { content = text } } } })}\n\n";

    private static async Task OpenAsync(IPage page, string topic, string query = "")
    {
        await page.GotoAsync($"/stream.html?topic={topic}{query}");
        await WaitForStateAsync(page, "open");
    }

    private static async Task WaitForStateAsync(IPage page, string state) =>
        await page.WaitForFunctionAsync("s => document.querySelector('#state').dataset.state === s", state, new() { Timeout = Timeout });

    private static async Task WaitForAnswerAsync(IPage page, string expected)
    {
        try
        {
            await page.WaitForFunctionAsync("t => document.querySelector('#answer').textContent === t", expected, new() { Timeout = Timeout });
        }
        catch (PlaywrightException)
        {
            Assert.Equal(expected, await page.TextContentAsync("#answer"));
        }
    }
}
