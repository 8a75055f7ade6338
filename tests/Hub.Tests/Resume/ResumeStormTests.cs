using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Resume;

[Collection(HubServerCollection.Name)]
public class ResumeStormTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task HundredsOfClients_ResumeWhilePublishingContinues_EveryEventExactlyOnceInOrder()
    {
        const int clients = 200;
        var topics = new[] { HubServerFixture.NewTopic("x"), HubServerFixture.NewTopic("y") };
        var path = $"events?topic={topics[0]}&topic={topics[1]}";
        var received = Enumerable.Range(0, clients).Select(_ => new List<string>()).ToArray();
        var streams = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => SseStream.OpenAsync(Client, path)));

        using var stop = new CancellationTokenSource();
        var published = new[] { 0, 0 };
        var publisher = Task.Run(async () =>
        {
            // Bounded: at most 2,000 events, and only until the test says stop.
            for (var i = 0; i < 2_000 && !stop.IsCancellationRequested; i++)
            {
                var t = i % 2;
                await Client.PublishAsync(topics[t], $"{t}:{++published[t]}");
            }
        });

        // Phase 1: every client reads a few events, then all drop at once.
        var cursors = new string[clients];
        for (var c = 0; c < clients; c++)
        {
            var events = await streams[c].NextAsync(3);
            received[c].AddRange(events.Select(e => e.Data));
            cursors[c] = events[^1].EventId!;
            await streams[c].DisposeAsync();
        }

        // Phase 2: all reconnect with their cursors while publishing goes on.
        streams = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => SseStream.OpenAsync(Client, path, lastEventId: cursors[c])));
        await Task.Delay(200); // let some events land after the reconnects; not a wait for a result
        await stop.CancelAsync();
        await publisher;
        var expected = published[0] + published[1];

        try
        {
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                var rest = await streams[c].NextAsync(expected - received[c].Count, TimeSpan.FromSeconds(30));
                received[c].AddRange(rest.Select(e => e.Data));
            }));
        }
        finally
        {
            foreach (var s in streams)
                await s.DisposeAsync();
        }

        for (var c = 0; c < clients; c++)
        {
            for (var t = 0; t < 2; t++)
            {
                var own = received[c].Where(d => d[0] == (char)('0' + t)).ToList();
                Assert.Equal(Enumerable.Range(1, published[t]).Select(i => $"{t}:{i}"), own);
            }
        }
    }
}
