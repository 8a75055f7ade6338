using System.Text.Json;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Resume;

/// <summary>
/// A short-lived topic whose events have all aged out is forgotten by the in-memory log, and its next
/// publish starts a new life at sequence 1 in a new epoch: the publisher is not bothered by it, and a
/// subscriber holding a cursor of the old life is told (a reset) instead of skipping the new events.
/// </summary>
public sealed class ForgottenTopicTests
{
    [Fact]
    public async Task AForgottenTopic_PublishesAgainFromOne_AndAnOldCursorGetsAResetThenTheNewLife()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Retention:Topics:chat.*:MaxAge"] = "00:00:10" });
        var log = Assert.IsType<InMemoryEventLog>(server.Services.GetRequiredService<IEventLog>());
        var topic = $"chat.{Guid.NewGuid():N}";
        await server.Client.PublishAsync(topic, "old 1");
        var old = await server.Client.PublishAsync(topic, "old 2");
        var oldEpoch = (await log.GetInfoAsync(topic)).Epoch;

        // Asked of the log itself, not over HTTP: a read through the topic grain would refresh the head the
        // grain holds, and the publish below is to find it stale.
        // Ten seconds of retention, then a sweep (as often as the retention age): the new life has as long
        // before it ages out in turn, ample for a loaded machine.
        await Eventually.TrueAsync(async () => await log.GetInfoAsync(topic) is { Head: 0 } info && info.Epoch != oldEpoch, "the log forgot the topic", TimeSpan.FromSeconds(60));

        var reborn = await server.Client.PublishAsync(topic, "new 1");
        Assert.Equal(1, reborn.Sequence);

        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events", lastEventId: old.Id);
        var reset = await sse.NextAsync();
        Assert.Equal("hub.reset", reset.EventType);
        using (var data = JsonDocument.Parse(reset.Data))
        {
            Assert.Equal("epoch-changed", data.RootElement.GetProperty("reason").GetString());
            Assert.Equal(1, data.RootElement.GetProperty("resumedFrom").GetInt64());
        }
        var next = await sse.NextAsync();
        Assert.Equal(("new 1", reborn.Id), (next.Data, next.EventId));
    }
}
