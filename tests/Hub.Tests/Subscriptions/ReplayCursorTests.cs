using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Subscriptions;

/// <summary>The ids written while a multi-topic subscription replays history must each be a cursor to resume from.</summary>
public sealed class ReplayCursorTests
{
    [Theory]
    [InlineData("earliest")]
    [InlineData("cursor")]
    public async Task Resume_FromAnIdWrittenWhileReplayingTheFirstTopic_LosesNoOtherTopic(string start)
    {
        await using var server = await HubServer.StartAsync();
        var cursor = "earliest";
        if (start == "cursor")
        {
            // A cursor from an earlier connection: resuming from it replays both topics.
            await server.Client.PublishAsync("alpha", "warm-up");
            await using var earlier = await SseStream.OpenAsync(server.Client, "events?topic=alpha&topic=beta", "earliest");
            cursor = (await earlier.NextAsync()).EventId!;
        }
        await server.Client.PublishAsync("alpha", "a1");
        await server.Client.PublishAsync("alpha", "a2");
        await server.Client.PublishAsync("beta", "b1");

        string firstId;
        await using (var replay = await SseStream.OpenAsync(server.Client, "events?topic=alpha&topic=beta", cursor))
        {
            // alpha is replayed first; its first event's id must already hold beta's real position.
            var first = await replay.NextAsync();
            Assert.Equal("a1", first.Data);
            firstId = first.EventId!;
        }

        await using var resumed = await SseStream.OpenAsync(server.Client, "events?topic=alpha&topic=beta", firstId);
        Assert.True(resumed.Response.IsSuccessStatusCode, $"Resuming from {firstId} answered {(int)resumed.Response.StatusCode}.");
        // Each topic's order is kept; between topics there is none to keep (beta's event may come live while
        // alpha is still being replayed, seen under CI load), so the two are compared as a set.
        var rest = await resumed.NextAsync(2);
        Assert.Equal(["a2", "b1"], rest.Select(e => e.Data).Order());
    }
}
