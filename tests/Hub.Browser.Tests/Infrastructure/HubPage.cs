using Microsoft.Playwright;

namespace Hub.Browser.Tests.Infrastructure;

/// <summary>The demo page at <c>GET /</c>, driven through its controls as a person would.</summary>
public sealed class HubPage(IPage page)
{
    private static readonly float Timeout = (float)BrowserSession.Timeout.TotalMilliseconds;

    public IPage Page { get; } = page;

    public async Task OpenAsync()
    {
        await Page.GotoAsync("/");
        await Page.WaitForFunctionAsync("() => document.documentElement.dataset.ready === 'true'", null, new() { Timeout = Timeout });
    }

    /// <summary>Subscribes to <paramref name="topics"/> and waits until the stream is open.</summary>
    public async Task ConnectAsync(string topics, string types = "message status note", string? from = null)
    {
        await Page.FillAsync("#topics", topics);
        await Page.FillAsync("#types", types);
        if (from is not null)
            await Page.SelectOptionAsync("#from", from);
        await Page.ClickAsync("#connect");
        await WaitForStateAsync("open");
    }

    /// <summary>Publishes through the page's own form (not waiting for the answer).</summary>
    public async Task PublishWithFormAsync(string topic, string type, string data)
    {
        await Page.FillAsync("#pub-topic", topic);
        await Page.FillAsync("#pub-type", type);
        await Page.FillAsync("#pub-data", data);
        await Page.ClickAsync("#publish-button");
    }

    public Task DisconnectAsync() => Page.ClickAsync("#disconnect");

    public Task WaitForStateAsync(string state) =>
        Page.WaitForFunctionAsync("s => document.getElementById('state').dataset.state === s", state, new() { Timeout = Timeout });

    /// <summary>Waits until the feed holds at least <paramref name="count"/> rows (events and resets).</summary>
    public Task WaitForRowsAsync(int count) =>
        Page.WaitForFunctionAsync("n => document.querySelectorAll('#feed tr').length >= n", count, new() { Timeout = Timeout });

    /// <summary>Waits until some row shows exactly <paramref name="data"/>.</summary>
    public Task WaitForDataAsync(string data) =>
        Page.WaitForFunctionAsync(
            "d => [...document.querySelectorAll('#feed td.data')].some(td => td.textContent === d)", data, new() { Timeout = Timeout });

    public Task WaitForTextAsync(string selector, string text) =>
        Page.WaitForFunctionAsync(
            "([s, t]) => document.querySelector(s)?.textContent === t", new[] { selector, text }, new() { Timeout = Timeout });

    /// <summary>The feed's rows, oldest first (the page shows newest first).</summary>
    public async Task<IReadOnlyList<FeedRow>> RowsAsync() =>
        await Page.EvaluateAsync<FeedRow[]>("""
            () => [...document.querySelectorAll('#feed tr')].reverse().map(r => ({
              Topic: r.querySelector('.topic').textContent,
              Type: r.querySelector('.type').textContent,
              Sequence: r.querySelector('.seq').textContent,
              Data: r.querySelector('.data').textContent,
              Id: r.querySelector('.id').textContent,
              IsReset: r.classList.contains('reset'),
            }))
            """);
}

/// <summary>One row of the feed as the page shows it.</summary>
public sealed class FeedRow
{
    public string Topic { get; set; } = "";

    public string Type { get; set; } = "";

    public string Sequence { get; set; } = "";

    public string Data { get; set; } = "";

    public string Id { get; set; } = "";

    public bool IsReset { get; set; }

    public override string ToString() => IsReset ? $"[reset {Topic}: {Data}]" : $"{Topic}#{Sequence} {Type} {Data}";
}
