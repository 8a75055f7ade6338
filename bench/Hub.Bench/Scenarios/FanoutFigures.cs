using Hub.Bench.Measuring;
using Hub.Bench.Publishing;
using Hub.Bench.Results;
using Hub.Bench.Sse;

namespace Hub.Bench.Scenarios;

/// <summary>The correctness and latency figures fan-out scenarios report alike.</summary>
public static class FanoutFigures
{
    public static void AddLatency(ScenarioResult result, LatencyHistogram latency, string prefix = "latency")
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(latency);
        result.Add($"{prefix} p50", latency.PercentileMs(0.50), "ms", "lower");
        result.Add($"{prefix} p99", latency.PercentileMs(0.99), "ms", "lower");
        result.Add($"{prefix} p99.9", latency.PercentileMs(0.999), "ms", "lower");
        result.Add($"{prefix} max", latency.MaxMs, "ms", "lower");
    }

    /// <summary>Lost, duplicated and out-of-order counts (each must be zero), reconnects and errors; after the group stopped.</summary>
    public static void AddCorrectness(ScenarioResult result, SubscriberGroup group, IEnumerable<PublisherSet> publishers)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(group);
        var sets = publishers.ToList();
        result.Add("lost", group.Lost(sets.SelectMany(p => p.Ledgers)), "events", "zero");
        result.Add("duplicated", group.Duplicates, "events", "zero");
        result.Add("out of order", group.OutOfOrder, "events", "zero");
        result.Add("subscriber reconnects", group.Reconnects, "", "zero");
        result.Add("publish errors", sets.Sum(p => p.Errors), "", "zero");
        if (group.LastError is { } subscriberError)
            result.Notes.Add($"Last subscriber error: {subscriberError}");
        if (sets.Select(p => p.LastError).LastOrDefault(e => e is not null) is { } publishError)
            result.Notes.Add($"Last publish error: {publishError}");
    }

    public static string Status(SubscriberGroup group, Func<long> published, LatencySink latency) =>
        $"ready {group.ReadyCount}/{group.Subscribers.Count}, published {published()}, delivered {group.Received}, " +
        $"p99 {latency.Histogram.PercentileMs(0.99):F1} ms, dup {group.Duplicates}, ooo {group.OutOfOrder}, reconnects {group.Reconnects}";
}
