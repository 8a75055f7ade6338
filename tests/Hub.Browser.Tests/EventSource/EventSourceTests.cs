using Hub.Browser.Tests.Infrastructure;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Browser.Tests.EventSource;

/// <summary>The browser's own EventSource and the hub's client module, without the demo page's code.</summary>
public sealed class EventSourceTests
{
    private static readonly float Timeout = (float)BrowserSession.Timeout.TotalMilliseconds;

    [Fact]
    public async Task NamedEvents_ReachTheirAddEventListenerHandlers_AndUntypedOnesReachOnMessage()
    {
        await using var session = await DemoSession.OpenAsync();
        var page = session.Browser.Page;
        await page.EvaluateAsync("""
            async () => {
              window.got = { status: [], note: [], message: [] };
              // "earliest" is not needed for what follows onopen (the hub attaches a stream before its headers
              // go out: StreamOpenTests pins that); it keeps this test about routing by type, whatever the start.
              const source = new EventSource("/events?topic=alpha&topic=beta&lastEventId=earliest");
              for (const type of ["status", "note"])
                source.addEventListener(type, e => window.got[type].push(e.data));
              source.onmessage = e => window.got.message.push(e.data);
              await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
            }
            """);

        await session.Server.Client.PublishAsync("alpha", "s1", "status");
        await session.Server.Client.PublishAsync("beta", "n1", "note");
        await session.Server.Client.PublishAsync("alpha", "m1", "message");
        await session.Server.Client.PublishAsync("alpha", "nobody listens", "other");
        await session.Server.Client.PublishAsync("alpha", "s2", "status");
        await page.WaitForFunctionAsync("() => got.status.length + got.note.length + got.message.length >= 4", null, new() { Timeout = Timeout });

        Assert.Equal(["s1", "s2"], await page.EvaluateAsync<string[]>("() => got.status"));
        Assert.Equal(["n1"], await page.EvaluateAsync<string[]>("() => got.note"));
        Assert.Equal(["m1"], await page.EvaluateAsync<string[]>("() => got.message"));
    }

    [Fact]
    public async Task ClientModule_GivesEachEventItsTopicAndSequence_AndTracksTheCursor()
    {
        await using var session = await DemoSession.OpenAsync();
        var page = session.Browser.Page;
        await session.Server.Client.PublishAsync("beta", "old", "status"); // before connecting: not delivered live
        await page.EvaluateAsync("""
            async () => {
              const { HubClient } = await import("/hub-client.js");
              window.events = [];
              window.states = [];
              const hub = new HubClient(["beta", "alpha"]);
              hub.on("status", e => window.events.push(`${e.topic}#${e.sequence} ${e.data} ${e.id === hub.lastEventId}`));
              hub.onStateChange = s => window.states.push(s);
              window.hub = hub;
              hub.connect();
            }
            """);
        await page.WaitForFunctionAsync("() => hub.state === 'open'", null, new() { Timeout = Timeout });

        await session.Server.Client.PublishAsync("alpha", "a1", "status");
        await session.Server.Client.PublishAsync("beta", "b2", "status");
        await page.WaitForFunctionAsync("() => events.length >= 2", null, new() { Timeout = Timeout });
        await page.EvaluateAsync("() => hub.close()");

        Assert.Equal(["alpha#1 a1 true", "beta#2 b2 true"], (await page.EvaluateAsync<string[]>("() => events")).Order());
        Assert.Equal(["connecting", "open", "closed"], await page.EvaluateAsync<string[]>("() => states"));
        Assert.Empty(session.Browser.PageErrors);
    }
}
