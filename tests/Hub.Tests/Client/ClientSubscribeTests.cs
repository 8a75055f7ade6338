using System.Net;
using Hub.Api.Subscriptions;
using Hub.Client.Http;
using Hub.Client.Subscribing;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Client;

/// <summary>Subscriptions through <see cref="Hub.Client.HubClient"/> against the embedded hub over loopback HTTP.</summary>
[Collection(HubServerCollection.Name)]
public class ClientSubscribeTests(HubServerFixture fixture)
{
    [Fact]
    public async Task Subscribe_Live_ReceivesWhatIsPublished_WithItsTopicAndSequence()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var (a, b) = (HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b"));
        await client.PublishAsync(a, "old", "before the subscription");
        await using var events = new ClientTestKit.Collector(client.SubscribeAsync([b, a], SubscribeFrom.Live));
        await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected");

        await client.PublishAsync(a, "status", "a1");
        await client.PublishAsync(b, "order", new { Id = 7 });
        await client.PublishAsync(a, "status", "a2");
        await events.WaitForAsync(3);

        // Order is kept per topic; two topics travel on their own streams, so they may interleave either way.
        var received = events.Received.Select(e => (e.Topic!, e.Sequence!.Value, e.Type, e.Data)).ToList();
        Assert.Equal([(a, 2L, "status", "a1"), (a, 3L, "status", "a2")], received.Where(e => e.Item1 == a));
        Assert.Equal([(b, 1L, "order", """{"id":7}""")], received.Where(e => e.Item1 == b));
        Assert.Equal(events.Received[^1].Id, events.Subscription.Cursor);
    }

    [Fact]
    public async Task Subscribe_FromEarliest_ReplaysHistory_AndFromACursor_ContinuesAfterIt()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        for (var i = 1; i <= 4; i++)
            await client.PublishAsync(topic, "n", $"{i}");

        string cursor;
        await using (var all = new ClientTestKit.Collector(client.SubscribeAsync(topic, SubscribeFrom.Earliest)))
        {
            await all.WaitForAsync(4);
            Assert.Equal(["1", "2", "3", "4"], all.Received.Select(e => e.Data));
            cursor = all.Received[1].Id!;
        }
        await using var rest = new ClientTestKit.Collector(client.SubscribeAsync(topic, SubscribeFrom.After(cursor)));
        await rest.WaitForAsync(2);
        Assert.Equal([3L, 4L], rest.Received.Select(e => e.Sequence!.Value));
    }

    [Fact]
    public async Task CutConnections_AreResumedFromTheCursor_AndEveryEventArrivesExactlyOnce()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var (a, b) = (HubServerFixture.NewTopic("a"), HubServerFixture.NewTopic("b"));
        const int perTopic = 60;
        // The consumer cuts the client's connections once it has these counts, mid-stream, while the publisher
        // keeps going (a publish in flight then is retried with its key). Each cut waits for a connection that
        // has not been cut: events the client had already buffered still arrive after a cut. No cut once all the
        // published events are in: the cut waiting for a fresh connection could otherwise fall on the very last
        // event, with nothing left to resume (it failed so: 4 cuts, 4 connections).
        int[] cutAt = [10, 35, 70, 100];
        var cuts = 0;
        var cutConnection = 0;
        var subscription = client.SubscribeAsync([a, b]);
        await using var events = new ClientTestKit.Collector(subscription, (_, count) =>
        {
            if (cuts < cutAt.Length && count >= cutAt[cuts] && count < 2 * perTopic && subscription.Connections > cutConnection)
            {
                cutConnection = subscription.Connections;
                cuts++;
                faults.CutConnections();
            }
        });
        await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected");

        for (var i = 1; i <= perTopic; i++)
        {
            await client.PublishAsync(a, "n", $"a{i}");
            await client.PublishAsync(b, "n", $"b{i}");
        }
        try
        {
            await events.WaitForAsync(2 * perTopic);
        }
        catch (TimeoutException ex)
        {
            // It once stalled with a connection open and nothing arriving: say what the hub holds for it.
            throw new TimeoutException($"{ex.Message} The hub's side: {HubSideOf(fixture.Server, a, b)}", ex);
        }
        // Anything duplicated would arrive right behind: the hub resumes from the cursor, so a repeat is immediate.
        await client.PublishAsync(a, "n", "last");
        await events.WaitForAsync(2 * perTopic + 1);

        var received = events.Received;
        Assert.Equal(2 * perTopic + 1, received.Count);
        Assert.Equal([.. Enumerable.Range(1, perTopic + 1).Select(i => (long)i)], received.Where(e => e.Topic == a).Select(e => e.Sequence!.Value));
        Assert.Equal([.. Enumerable.Range(1, perTopic).Select(i => (long)i)], received.Where(e => e.Topic == b).Select(e => e.Sequence!.Value));
        Assert.True(cuts >= 3, $"only {cuts} cuts: the test did not cut often enough to prove anything");
        Assert.True(events.Subscription.Connections >= cuts + 1, $"only {events.Subscription.Connections} connections after {cuts} cuts: the cuts did not happen");
    }

    [Fact]
    public async Task AConnectionThatFallsSilent_IsGivenUp_AndResumedFromTheCursor()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server, silenceTimeout: TimeSpan.FromSeconds(2));
        using var _ = http;
        // Published over connections of their own, so that only the subscriber's network falls silent.
        var (publisher, _, publisherHttp) = ClientTestKit.Connect(fixture.Server);
        using var __ = publisherHttp;
        var topic = HubServerFixture.NewTopic("silent");
        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(topic));
        await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected");
        await publisher.PublishAsync(topic, "n", "1");
        await events.WaitForAsync(1);

        // The socket stays open and the hub keeps writing into it, but nothing arrives: without a silence
        // timeout the subscription would wait forever.
        faults.SilenceConnections();
        await publisher.PublishAsync(topic, "n", "2");
        await publisher.PublishAsync(topic, "n", "3");
        await events.WaitForAsync(3);

        Assert.Equal([1L, 2L, 3L], events.Received.Select(e => e.Sequence!.Value));
        Assert.True(events.Subscription.Connections >= 2, $"{events.Subscription.Connections} connection(s): the silent one was not given up");
        Assert.Equal(SubscriptionState.Streaming, events.Subscription.State);
        Assert.Equal("silent for 00:00:02", events.Subscription.LastFailure);
        await events.DisposeAsync();
        Assert.Equal(SubscriptionState.Ended, events.Subscription.State);
    }

    [Fact]
    public async Task AConnectThatGetsNoAnswer_IsTriedAgain()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server, silenceTimeout: TimeSpan.FromSeconds(2));
        using var _ = http;
        var topic = HubServerFixture.NewTopic("unanswered");
        var first = await client.PublishAsync(topic, "n", "1");
        // The publish left its connection in the client's pool; the subscription's request goes out on it,
        // into the silence, and its response headers never come.
        faults.SilenceConnections();
        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(topic, SubscribeFrom.After(first.Id)));
        await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected on its second try", TimeSpan.FromSeconds(30));
        var (publisher, _, publisherHttp) = ClientTestKit.Connect(fixture.Server);
        using var __ = publisherHttp;
        await publisher.PublishAsync(topic, "n", "2");
        await events.WaitForAsync(1);

        Assert.Equal([2L], events.Received.Select(e => e.Sequence!.Value));
    }

    /// <summary>Every open connection to <paramref name="a"/> and <paramref name="b"/> as the hub sees it, and the feeds' positions.</summary>
    private static string HubSideOf(HubServer server, string a, string b)
    {
        var connections = server.Services.GetRequiredService<SseConnections>().All
            .Where(c => c.Topics.Topics.Contains(a) || c.Topics.Topics.Contains(b))
            .Select(c => $"connection {c.Id} {c.State} (closed: {c.CloseReason}) at " +
                string.Join(", ", c.Topics.Topics.Select((t, i) => $"{t[..1]} {c.PositionOf(i).Sequence}")) +
                $", open {(Environment.TickCount64 - c.OpenedAt) / 1000.0:F1} s");
        var feeds = server.Services.GetRequiredService<TopicFeeds>().Snapshot()
            .Where(f => f.Topic == a || f.Topic == b)
            .Select(f => $"feed {f.Topic[..1]} at {f.LastSequence}, {f.ConnectionCount} connections, stopped {f.IsStopped}");
        return string.Join("; ", connections.Concat(feeds).DefaultIfEmpty("no connection or feed"));
    }

    [Fact]
    public async Task Cancellation_EndsTheSubscriptionCleanly()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        using var stop = new CancellationTokenSource();
        var subscription = client.SubscribeAsync(HubServerFixture.NewTopic("client"), cancellationToken: stop.Token);
        var run = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var e in subscription)
                count++;
            return count;
        });
        await Eventually.TrueAsync(() => subscription.Connections > 0, "the subscription connected");

        await stop.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AForeignCursor_EndsTheSubscriptionWithTheHubsProblem()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var other = await client.PublishAsync(HubServerFixture.NewTopic("other"), "n", "x");

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(HubServerFixture.NewTopic("client"), SubscribeFrom.After(other.Id)));

        var error = await Assert.ThrowsAsync<HubProblemException>(() => events.Run.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }
}
