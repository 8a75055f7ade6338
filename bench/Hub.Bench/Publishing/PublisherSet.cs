using Hub.Bench.Measuring;
using Hub.Bench.Targets;

namespace Hub.Bench.Publishing;

/// <summary>Several publishers sharing a total rate, spread over the nodes and topics, with summed figures.</summary>
public sealed class PublisherSet
{
    private static int _nextId;

    public PublisherSet(IHubTarget target, HttpClient client, IReadOnlyList<string> topics, int count, double totalRate, int payloadBytes)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(topics);
        Publishers = [.. Enumerable.Range(0, count).Select(i => new Publisher(
            target, client, target.Nodes[i % target.Nodes.Count],
            // Each publisher starts on a different topic, so M topics get an even share.
            [.. topics.Skip(i % topics.Count).Concat(topics.Take(i % topics.Count))],
            Interlocked.Increment(ref _nextId), totalRate / count, payloadBytes, AckLatency))];
    }

    public IReadOnlyList<Publisher> Publishers { get; }

    /// <summary>Time from sending a publish to its acknowledgement, over all publishers.</summary>
    public LatencyHistogram AckLatency { get; } = new();

    public IEnumerable<PublishLedger> Ledgers => Publishers.Select(p => p.Ledger);

    public long Sent => Publishers.Sum(p => p.Ledger.LastSent);

    public long Acknowledged => Publishers.Sum(p => p.Ledger.LastSent - p.Errors);

    public long Errors => Publishers.Sum(p => p.Errors);

    public string? LastError => Publishers.Select(p => p.LastError).LastOrDefault(e => e is not null);

    public Task RunAsync(TimeSpan duration, long maxEventsEach, CancellationToken stop) =>
        Task.WhenAll(Publishers.Select(p => p.RunAsync(duration, maxEventsEach, stop)));
}
