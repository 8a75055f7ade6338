using System.Net.Http.Headers;
using System.Text.Json;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// The cluster tests' one verdict: the log is the truth. Every acknowledged publish is in its topic's log
/// at the acknowledged sequence, and every subscriber received exactly its topics' logs: each event once,
/// in sequence order, none missing. (A publish that got a 503 or lost its connection may or may not be in
/// the log, as its publisher was told; if it is, subscribers must have it too.)
/// </summary>
public static class DeliveryCheck
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(45);

    /// <summary>A topic's log as (sequence, data), read page by page from the history endpoint of a live node.</summary>
    public static async Task<List<(long Sequence, string Data)>> ReadLogAsync(HubCluster cluster, string topic)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var log = new List<(long, string)>();
        long after = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.LiveApis[0].Address, $"topics/{topic}/events?after={after}&limit=1000"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await cluster.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var events = page.RootElement.GetProperty("events").EnumerateArray()
                .Select(e => (e.GetProperty("sequence").GetInt64(), e.GetProperty("data").GetString()!)).ToList();
            if (events.Count == 0)
                return log;
            log.AddRange(events);
            after = events[^1].Item1;
        }
    }

    /// <summary>Asserts the verdict for <paramref name="topics"/>, after giving subscribers time to catch up with the logs.</summary>
    public static async Task AssertExactlyOnceInOrderAsync(HubCluster cluster, PublishLoop publishers, IReadOnlyList<ResumingSubscriber> subscribers, params string[] topics)
    {
        ArgumentNullException.ThrowIfNull(publishers);
        ArgumentNullException.ThrowIfNull(subscribers);
        Assert.True(publishers.Failures.Count == 0,
            "Publishes failed other than with a 503 or a dying node:\n" + string.Join("\n", publishers.Failures.Take(10).Select(f => $"{f.Topic} {f.Data}: {f.Failure}")));
        foreach (var topic in topics)
        {
            var log = await ReadLogAsync(cluster, topic);
            // The log itself: sequences 1..n without holes, and every acknowledgement in it where it was promised.
            Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(e => e.Sequence));
            var bySequence = log.ToDictionary(e => e.Sequence, e => e.Data);
            foreach (var ack in publishers.Attempts.Where(a => a.Topic == topic && a.Acknowledged))
                Assert.True(bySequence.TryGetValue(ack.Sequence, out var stored) && stored == ack.Data,
                    $"Acknowledged {ack.Data} as {topic}/{ack.Sequence}, but the log has {stored ?? "nothing"} there.");

            var expected = log.Select(e => e.Data).ToList();
            foreach (var subscriber in subscribers.Where(s => s.Topics.Contains(topic)))
            {
                try
                {
                    await subscriber.WaitForAsync(topic, expected.Count, CatchUpTimeout);
                }
                catch (TimeoutException)
                {
                    // Fall through: the comparison below says what is missing.
                }
                var resets = subscriber.Received.Where(d => d.StartsWith("hub.", StringComparison.Ordinal)).ToList();
                Assert.True(resets.Count == 0, $"The hub sent {string.Join(", ", resets)}");
                var received = subscriber.ReceivedOf(topic);
                var duplicates = received.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
                Assert.True(duplicates.Count == 0, $"{topic}: received twice: {string.Join(", ", duplicates)} ({subscriber.Reconnects} reconnects)");
                var missing = expected.Except(received).Take(5).ToList();
                Assert.True(missing.Count == 0, $"{topic}: {expected.Count - received.Count} of {expected.Count} events missing, first {string.Join(", ", missing)} ({subscriber.Reconnects} reconnects; received {subscriber.Received.Count} in all, first {string.Join(", ", subscriber.Received.Take(3))})\n{cluster.Output()}");
                Assert.Equal(expected, received);
            }
        }
    }
}
