using System.Net.Http.Json;
using Hub.Browser.Tests.Infrastructure;
using Hub.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Browser.Tests.DemoPage;

/// <summary>The demo page in a real Chromium against the real hub: what a person sees, and what must never happen.</summary>
public sealed class DemoPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Feed_ShowsEventsPublishedOverHttp_OnOneMultiTopicConnection()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        var streams = new List<string>();
        browser.Page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == "/events")
                lock (streams)
                    streams.Add(request.Url);
        };
        await page.ConnectAsync("news status");

        await server.Client.PublishAsync("news", "deploy finished", "status");
        await server.Client.PublishAsync("status", "all green", "note");
        await server.Client.PublishAsync("news", "second", "status");
        await page.WaitForRowsAsync(3);

        var rows = await page.RowsAsync();
        Assert.Equal(["news#1 status deploy finished", "news#2 status second"],
            rows.Where(r => r.Topic == "news").Select(r => r.ToString()));
        Assert.Equal(["status#1 note all green"], rows.Where(r => r.Topic == "status").Select(r => r.ToString()));
        Assert.All(rows, r => Assert.Contains(".", r.Id, StringComparison.Ordinal));
        // The page shows the cursor it will resume from: the id of the last event received.
        Assert.Equal(rows[^1].Id, await browser.Page.TextContentAsync("#cursor"));
        lock (streams)
        {
            var stream = Assert.Single(streams);
            Assert.Contains("topic=news", stream, StringComparison.Ordinal);
            Assert.Contains("topic=status", stream, StringComparison.Ordinal);
        }
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task PublishForm_ShowsTheReturnedSequence_AndTheEventArrives()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("orders", types: "message");

        await server.Client.PublishAsync("orders", "first", "created");
        await page.PublishWithFormAsync("orders", "shipped", "{\"order\":42}");

        await page.WaitForTextAsync("#pub-result", "orders #2");
        // Publishing a type through the form also starts listening to it, so the event shows up.
        await page.WaitForDataAsync("{\"order\":42}");
        var row = Assert.Single(await page.RowsAsync());
        Assert.Equal("orders#2 shipped {\"order\":42}", row.ToString());
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task StreamedData_IsRenderedAsText_NeverAsHtml()
    {
        const string imgPayload = "<img src=x onerror=alert(1)>";
        const string scriptPayload = "<script>window.__pwned = true</script><b>bold</b>";
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("xss");

        // Once through the page's own publish form, once straight over HTTP.
        await page.PublishWithFormAsync("xss", "status", imgPayload);
        await page.WaitForTextAsync("#pub-result", "xss #1");
        await server.Client.PublishAsync("xss", scriptPayload, "status");
        await page.WaitForRowsAsync(2);
        // An image that failed to load would fire onerror within the same turn of loading; give any such
        // script a moment to run by round-tripping through the page once more.
        await server.Client.PublishAsync("xss", "after", "status");
        await page.WaitForDataAsync("after");

        var rows = await page.RowsAsync();
        Assert.Equal([imgPayload, scriptPayload, "after"], rows.Select(r => r.Data));
        Assert.Equal(0, await browser.Page.Locator("#feed img, #feed script, #feed b").CountAsync());
        Assert.Empty(browser.Dialogs);
        Assert.False(await browser.Page.EvaluateAsync<bool>("() => window.__pwned === true"));
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Reset_IsShownDistinctly_WhenResumingBeyondRetainedHistory()
    {
        await using var session = await DemoSession.OpenAsync(new Dictionary<string, string?>
        {
            ["Hub:Retention:MaxEventsPerTopic"] = "3",
        });
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("retained");
        await server.Client.PublishAsync("retained", "r1");
        await page.WaitForDataAsync("r1");
        await page.DisconnectAsync();
        await page.WaitForStateAsync("closed");

        for (var i = 2; i <= 6; i++)
            await server.Client.PublishAsync("retained", $"r{i}"); // only r4..r6 stay retained
        // After a disconnect the page offers to resume where it left off, and selects it.
        Assert.Equal("resume", await browser.Page.InputValueAsync("#from"));
        await page.ConnectAsync("retained");
        await page.WaitForDataAsync("r6");

        var rows = await page.RowsAsync();
        Assert.Equal(["retained#1 status r1", "[reset retained: History no longer reaches back (retention): continuing from #4.]",
            "retained#4 status r4", "retained#5 status r5", "retained#6 status r6"], rows.Select(r => r.ToString()));
        Assert.Equal(1, await browser.Page.Locator("#feed tr.reset").CountAsync());
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Reconnect_AfterTheServerDropsTheStream_ContinuesWithNoGapAndNoRepeat()
    {
        await using var session = await DemoSession.OpenAsync(new Dictionary<string, string?>
        {
            ["Hub:Testing:EnableDropEndpoint"] = "true",
            ["Hub:Sse:RetryMilliseconds"] = "1000", // long enough that the "during" events land while disconnected
        });
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("alpha beta");

        async Task PublishRoundAsync(int from, int to)
        {
            for (var i = from; i <= to; i++)
            {
                await server.Client.PublishAsync("alpha", $"a{i}");
                await server.Client.PublishAsync("beta", $"b{i}");
            }
        }

        await PublishRoundAsync(1, 3); // before
        await page.WaitForRowsAsync(6);

        using (var drop = await server.Client.PostAsync("testing/drop", null))
        {
            drop.EnsureSuccessStatusCode();
            var dropped = await drop.Content.ReadFromJsonAsync<DropAnswer>();
            Assert.Equal(1, dropped!.Dropped);
        }
        await PublishRoundAsync(4, 6); // during: the browser waits its retry delay before coming back
        await page.WaitForTextAsync("#reconnects", "1");
        await PublishRoundAsync(7, 9); // after
        await server.Client.PublishAsync("alpha", "a10"); // a last event: anything repeated would come before it
        await page.WaitForDataAsync("a10");

        var rows = await page.RowsAsync();
        Assert.DoesNotContain(rows, r => r.IsReset);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"alpha#{i} status a{i}"),
            rows.Where(r => r.Topic == "alpha").Select(r => r.ToString()));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"beta#{i} status b{i}"),
            rows.Where(r => r.Topic == "beta").Select(r => r.ToString()));
        Assert.Equal("open", await browser.Page.GetAttributeAsync("#state", "data-state"));
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Feed_KeepsOnlyTheNewest500Rows_WhileCountingThousandsOfEvents()
    {
        const int batches = 3, perBatch = 1_000;
        // Bursts of 1,000 can overflow a connection's queue on a busy machine; the page then reconnects and
        // resumes, which must find every event still retained to count them all exactly.
        await using var session = await DemoSession.OpenAsync(new Dictionary<string, string?>
        {
            ["Hub:Retention:MaxEventsPerTopic"] = "10000",
        });
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("firehose");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var batch = Enumerable.Range(b * perBatch + 1, perBatch).Select(i => new { type = "status", data = $"e{i}" });
            using var response = await server.Client.PostAsJsonAsync("topics/firehose/events", batch);
            response.EnsureSuccessStatusCode();
        }
        await page.WaitForTextAsync("#feed tr:first-child td.data", $"e{batches * perBatch}");
        watch.Stop();
        output.WriteLine($"{batches * perBatch} events published and shown in {watch.ElapsedMilliseconds} ms");

        Assert.Equal((batches * perBatch).ToString(System.Globalization.CultureInfo.InvariantCulture),
            await browser.Page.GetAttributeAsync("#count", "data-value"));
        var rows = await page.RowsAsync();
        Assert.DoesNotContain(rows, r => r.IsReset);
        Assert.Equal(Enumerable.Range(batches * perBatch - 499, 500).Select(i => $"e{i}"), rows.Select(r => r.Data));
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Screenshot_OfTheLiveFeed_IsSavedAsAnArtifact()
    {
        await using var session = await DemoSession.OpenAsync();
        var (server, browser, page) = (session.Server, session.Browser, session.Page);
        await page.ConnectAsync("news orders status", types: "message status created shipped note");

        await server.Client.PublishAsync("news", "Hub 1.0 released: exact resume across nodes", "status");
        await server.Client.PublishAsync("orders", "{\"order\":1041,\"total\":\"€18.40\"}", "created");
        await server.Client.PublishAsync("status", "eu-west: all systems operational", "note");
        await server.Client.PublishAsync("orders", "{\"order\":1041,\"carrier\":\"DHL\"}", "shipped");
        await server.Client.PublishAsync("news", "<img src=x onerror=alert(1)> stays text", "status");
        await server.Client.PublishAsync("orders", "{\"order\":1042,\"total\":\"€7.90\"}", "created");
        await page.PublishWithFormAsync("status", "note", "us-east: degraded, investigating");
        await page.WaitForTextAsync("#pub-result", "status #2");
        await page.WaitForRowsAsync(7);

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts"));
        var path = Path.Combine(artifacts.FullName, "screenshot.png");
        await browser.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Assert.True(new FileInfo(path).Length > 10_000, "The screenshot is suspiciously small.");
        // The page follows the system's colour scheme: keep the dark variant too, for a look.
        await browser.Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await browser.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts.FullName, "screenshot-dark.png") });
        Assert.Empty(browser.PageErrors);
    }

    private sealed record DropAnswer(int Dropped);
}
