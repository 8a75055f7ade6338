using System.Diagnostics;
using System.Globalization;
using Hub.Api.Sse;
using Hub.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Http;

/// <summary>
/// The keep-alive rule (docs/http-api.md): a <c>: keep-alive</c> comment follows a silence of
/// <c>Hub:Sse:HeartbeatInterval</c> (15 s by default), and only a silence: a stream that carries events
/// more often than that never gets one.
/// </summary>
public sealed class KeepAliveTests(ITestOutputHelper output)
{
    // Ten times the busy phase's spacing between events, so that a reader's view of a silence can be cut by
    // a stall of up to half an interval and still tell a keep-alive that waited from one that did not.
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Fact]
    public void HeartbeatInterval_DefaultsTo15Seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new SseOptions().HeartbeatInterval);
    }

    [Fact]
    public async Task KeepAlive_ComesOnlyAfterAFullIntervalOfSilence()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Sse:HeartbeatInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
        });
        var topic = HubServerFixture.NewTopic();
        using var response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var clock = Stopwatch.StartNew();
        var lines = new List<(TimeSpan At, string Line)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.Length == 0)
                    continue;
                lock (lines)
                    lines.Add((clock.Elapsed, line));
            }
        });
        int KeepAlives() { lock (lines) return lines.Count(l => l.Line == ": keep-alive"); }

        // Busy: an event every 200 ms for four intervals. The pace is the load, not a synchronisation.
        var busyUntil = clock.Elapsed + (Interval * 4);
        while (clock.Elapsed < busyUntil)
        {
            await server.Client.PublishAsync(topic, "tick");
            await Task.Delay(200);
        }
        var busyEnded = clock.Elapsed;
        // Silent: two keep-alives must come.
        await Eventually.TrueAsync(() => KeepAlives() >= 2, "two keep-alives on the silent stream", TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        List<(TimeSpan At, string Line)> seen;
        lock (lines)
            seen = [.. lines];
        var silences = new List<TimeSpan>();
        for (var i = 1; i < seen.Count; i++)
        {
            if (seen[i].Line == ": keep-alive")
                silences.Add(seen[i].At - seen[i - 1].At);
        }
        output.WriteLine($"silence before each keep-alive: {string.Join(", ", silences.Select(s => $"{s.TotalMilliseconds:0} ms"))}; busy phase ended at {busyEnded.TotalSeconds:0.0} s, {seen.Count(l => l.Line == ": keep-alive" && l.At < busyEnded)} keep-alives in it");
        // The rule itself: no keep-alive before an interval of silence. Measured at the reader, an event that
        // reached it late shortens the silence it sees (seen with a 1-s interval under CI load: 885 and 504 ms),
        // hence the margin of half an interval; a keep-alive sent regardless of the traffic would come within
        // the 200 ms between events, far below it. On the busy stream that means none at all, unless the
        // machine stalled the publisher for an interval.
        Assert.All(silences, s => Assert.True(s >= Interval * 0.5, $"a keep-alive after only {s.TotalMilliseconds:0} ms of silence"));
    }
}
