using Hub.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Hub.Browser.Tests.Infrastructure;

/// <summary>A hub of its own and a Chromium of its own with the demo page open: what each browser test starts from.</summary>
public sealed class DemoSession : IAsyncDisposable
{
    private DemoSession(HubServer server, BrowserSession browser)
    {
        Server = server;
        Browser = browser;
        Page = new HubPage(browser.Page);
    }

    public HubServer Server { get; }

    public BrowserSession Browser { get; }

    public HubPage Page { get; }

    public static async Task<DemoSession> OpenAsync(IDictionary<string, string?>? settings = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        var server = await HubServer.StartAsync(settings);
        BrowserSession? browser = null;
        try
        {
            browser = await BrowserSession.OpenAsync(server.Address, colorScheme);
            var session = new DemoSession(server, browser);
            await session.Page.OpenAsync();
            return session;
        }
        catch
        {
            if (browser is not null)
                await browser.DisposeAsync();
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Server.DisposeAsync();
    }
}
