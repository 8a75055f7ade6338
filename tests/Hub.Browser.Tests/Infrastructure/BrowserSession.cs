using Microsoft.Playwright;

namespace Hub.Browser.Tests.Infrastructure;

/// <summary>
/// One Chromium process and one page, launched for one test and closed with it. Debian's Chromium
/// (<c>/usr/bin/chromium</c>, installed by <c>scripts/test.sh</c>) is driven through Playwright's
/// driver; Playwright's own browser download is never used (this network refuses it).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>Generous: the machine has two cores shared with builds and other test runs.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Background networking, component updates and sync would try to reach the internet; QUIC is off
    // so every request is plain HTTP/1.1 to the hub, as the six-connections rule assumes.
    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            lock (Dialogs)
                Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) =>
        {
            lock (PageErrors)
                PageErrors.Add(error);
        };
    }

    public IPage Page { get; }

    /// <summary>Messages of every alert/confirm/prompt the page opened: none, in a safe page.</summary>
    public List<string> Dialogs { get; } = [];

    /// <summary>Uncaught exceptions in the page's scripts.</summary>
    public List<string> PageErrors { get; } = [];

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("HUB_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<BrowserSession> OpenAsync(Uri baseAddress, ColorScheme colorScheme = ColorScheme.Light)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: run scripts/test.sh (it installs Debian's chromium) or set HUB_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Args = Args,
                Headless = true,
                Timeout = (float)Timeout.TotalMilliseconds * 2,
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = baseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1280, Height = 760 },
                ColorScheme = colorScheme,
            });
            context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
            return new BrowserSession(playwright, browser, await context.NewPageAsync());
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
