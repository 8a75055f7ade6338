using System.Globalization;
using System.Text.RegularExpressions;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

/// <summary>
/// Runs the hub as its own process: metrics are process-wide (a MeterListener sees every meter of the
/// process), so a hub sharing the test process with other hubs would count their events too.
/// </summary>
public partial class MetricsTests
{
    [Fact]
    public async Task Metrics_MoveWhenTheHubIsUsed()
    {
        await using var server = await HubProcess.StartAsync("Hub.Api", new Dictionary<string, string>
        {
            ["Hub__Retention__MaxEventsPerTopic"] = "2",
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        var topic = HubServerFixture.NewTopic();
        var first = await server.Client.PublishAsync(topic, "1");
        await using (var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events"))
        {
            await server.Client.PublishAsync(topic, "2");
            await sse.NextAsync();
            var open = await ScrapeAsync(server);
            Assert.Equal(1, Value(open, "hub_sse_connections"));
            Assert.Equal(1, Value(open, "hub_topics_active"));
        }
        // Wait until the node has let the first connection go (and with it the topic's feed and the
        // events it remembers), so the resume below is answered by the log, which has moved on.
        await Eventually.TrueAsync(async () => Value(await ScrapeAsync(server), "hub_sse_connections") == 0, "the node has let the closed connection go");
        for (var i = 3; i <= 5; i++)
            await server.Client.PublishAsync(topic, $"{i}");
        // A resume from before the retention edge: one resume, one reset.
        await using (var resumed = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: first.Id))
            Assert.Equal("hub.reset", (await resumed.NextAsync()).EventType);
        using (var bad = await server.Client.PostAsync("topics/.bad/events", new StringContent("x")))
            Assert.Equal(400, (int)bad.StatusCode);

        var text = await ScrapeAsync(server);
        Assert.Equal(5, Value(text, "hub_events_published_total"));
        Assert.True(Value(text, "hub_events_delivered_total") >= 3);
        Assert.Equal(1, Value(text, "hub_resumes_total"));
        Assert.Equal(1, Value(text, "hub_resets_total"));
        Assert.True(Value(text, "hub_requests_rejected_total") >= 1);
        Assert.True(Value(text, "hub_delivery_lag_milliseconds_count") >= 1);
        Assert.True(Value(text, "hub_log_append_duration_milliseconds_count") >= 5);
    }

    [Fact]
    public async Task Rejections_AreCountedByReason_BeforeTheClientHasTheAnswer()
    {
        await using var server = await HubProcess.StartAsync("Hub.Api", new Dictionary<string, string>
        {
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        // One of each: a bad event (the endpoint's problem), a path with no endpoint (the status page's
        // problem) and a method the route does not take. Each is counted as its answer starts, so a
        // single scrape after the last answer must see all three, exactly once each.
        using (var bad = await server.Client.PostAsync("topics/~internal/events", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        using (var missing = await server.Client.GetAsync("no-such-page"))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        using (var method = await server.Client.DeleteAsync($"topics/{HubServerFixture.NewTopic()}/events"))
            Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, method.StatusCode);

        var text = await ScrapeAsync(server);
        Assert.Equal(1, Value(text, "hub_requests_rejected_total", "reason=\"bad_request\""));
        Assert.Equal(1, Value(text, "hub_requests_rejected_total", "reason=\"not_found\""));
        Assert.Equal(1, Value(text, "hub_requests_rejected_total", "reason=\"method_not_allowed\""));
        Assert.Equal(3, Value(text, "hub_requests_rejected_total"));
    }

    private static async Task<string> ScrapeAsync(HubProcess server)
    {
        // The exporter caches a scrape briefly; the numbers checked here are all final before it is read.
        using var response = await server.Client.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples over all its label sets, or over those with <paramref name="label"/>.</summary>
    private static double Value(string exposition, string name, string? label = null)
    {
        var total = 0d;
        var found = false;
        foreach (Match m in SampleLine().Matches(exposition))
        {
            if (m.Groups["name"].Value != name || (label is not null && !m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
                continue;
            found = true;
            total += double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        Assert.True(found, $"metric {name} not exported");
        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)(?<labels>\{[^}]*\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
