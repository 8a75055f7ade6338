using System.Diagnostics;
using Hub.Api.Subscriptions;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Http;

public class ShutdownTests
{
    [Fact]
    public async Task Stopping_DrainsConnectionsSpreadOverTheWindow_EachToldToComeBack()
    {
        var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Drain:Window"] = "00:00:03",
            ["Hub:Sse:RetryMilliseconds"] = "1000",
        });
        var topic = HubServerFixture.NewTopic();
        var streams = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => SseStream.OpenAsync(server.Client, $"topics/{topic}/events")));
        try
        {
            await server.Client.PublishAsync(topic, "before");
            foreach (var s in streams)
                Assert.Equal("before", (await s.NextAsync()).Data);

            var clock = Stopwatch.StartNew();
            var stopping = server.DisposeAsync().AsTask();
            var ended = await Task.WhenAll(streams.Select(async s =>
            {
                await s.Completion.WaitAsync(TimeSpan.FromSeconds(20));
                return clock.Elapsed;
            }));
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));

            // Spread out, not all at once, and all within the window (plus slack for a loaded machine).
            Assert.True(ended.Max() - ended.Min() > TimeSpan.FromSeconds(1), $"ends spread over {ended.Max() - ended.Min()}");
            Assert.True(ended.Max() < TimeSpan.FromSeconds(10), $"last end after {ended.Max()}");
            // Each got a jittered goodbye retry: not the configured 1000 ms exactly for all of them.
            Assert.All(streams, s => Assert.InRange(s.Retry!.Value.TotalMilliseconds, 500, 1500));
            Assert.True(streams.Select(s => s.Retry).Distinct().Count() > 1);
        }
        finally
        {
            foreach (var s in streams)
                await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task MaxConnectionLifetime_EndsOldConnections_WithARetry()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Drain:MaxConnectionLifetime"] = "00:00:01",
            ["Hub:Sse:HeartbeatInterval"] = "00:00:00.200",
        });
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        await sse.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(sse.Retry);
        Assert.False(server.Services.GetRequiredService<ConnectionDrainer>().IsDraining);
    }
}
