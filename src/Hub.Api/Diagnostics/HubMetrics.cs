using System.Diagnostics.Metrics;
using Hub.Api.Subscriptions;

namespace Hub.Api.Diagnostics;

/// <summary>
/// What an API node measures, under the <c>hub.</c> prefix, exported at <c>/metrics</c>. Topic names are
/// never tags: their number is unbounded, and a metric label per topic would grow without limit.
/// </summary>
public sealed class HubMetrics
{
    public const string MeterName = "Hub.Api";

    private readonly Meter _meter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _resumes;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _gapRepairs;
    private readonly Counter<long> _slowClients;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _streamReceived;
    private long _publishedTotal;
    private long _streamReceivedTotal;
    private long _deliveredTotal;
    private long _slowClientsTotal;
    private long _resetsTotal;

    /// <summary>Millisecond buckets fine enough to read a p99 near the 20 ms target.</summary>
    public static readonly double[] LatencyBuckets = [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 250, 500, 1000, 2500, 5000];

    public HubMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _published = _meter.CreateCounter<long>("hub.events.published", "{event}", "Events accepted by publishes on this node.");
        _delivered = _meter.CreateCounter<long>("hub.events.delivered", "{event}", "Events written to SSE connections (one per event per connection).");
        _lag = _meter.CreateHistogram<double>("hub.delivery.lag", "ms", "Time from an event being stored to the node having written it to every idle connection of its topic: one sample per event per topic feed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _resumes = _meter.CreateCounter<long>("hub.resumes", "{subscription}", "Subscriptions that started from a cursor or 'earliest'.");
        _resets = _meter.CreateCounter<long>("hub.resets", "{reset}", "hub.reset events sent, by reason.");
        _gapRepairs = _meter.CreateCounter<long>("hub.gap_repairs", "{repair}", "Times a node fetched events from the log that the live stream skipped, by where it noticed.");
        _slowClients = _meter.CreateCounter<long>("hub.slow_client_disconnects", "{connection}", "Connections closed because they fell further behind than the node keeps per topic.");
        _rejected = _meter.CreateCounter<long>("hub.requests.rejected", "{request}", "Requests answered with an error status, by reason.");
        _streamReceived = _meter.CreateCounter<long>("hub.stream.events_received", "{event}", "Events that reached this node on its stream subscriptions, by feed (a whole topic, or one channel of it).");
    }

    /// <summary>Live gauges over the node's connections and feeds, read at each scrape.</summary>
    public void Observe(SseConnections connections, TopicFeeds feeds)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(feeds);
        _meter.CreateObservableUpDownCounter("hub.sse.connections", () => connections.Count, "{connection}", "Open SSE connections on this node.");
        _meter.CreateObservableUpDownCounter("hub.topics.active", () => feeds.Count, "{topic}", "Topics with at least one connection on this node (one stream subscription each).");
        _meter.CreateObservableUpDownCounter("hub.subscriptions", () => feeds.Snapshot().Sum(f => f.ConnectionCount), "{subscription}", "Connection-topic pairs on this node.");
    }

    /// <summary>Running totals for the node's status page (the meter's values are only readable by a listener).</summary>
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    public long DeliveredTotal => Interlocked.Read(ref _deliveredTotal);

    public long SlowClientsTotal => Interlocked.Read(ref _slowClientsTotal);

    public long ResetsTotal => Interlocked.Read(ref _resetsTotal);

    public long StreamEventsReceivedTotal => Interlocked.Read(ref _streamReceivedTotal);

    public void StreamEventsReceived(int events, bool channel)
    {
        _streamReceived.Add(events, new KeyValuePair<string, object?>("feed", channel ? "channel" : "topic"));
        Interlocked.Add(ref _streamReceivedTotal, events);
    }

    public void Published(int events)
    {
        _published.Add(events);
        Interlocked.Add(ref _publishedTotal, events);
    }

    public void Delivered(int events)
    {
        _delivered.Add(events);
        Interlocked.Add(ref _deliveredTotal, events);
    }

    public void DeliveryLag(TimeSpan lag) => _lag.Record(lag.TotalMilliseconds);

    public void Resumed(SubscriptionStartKind kind) => _resumes.Add(1, new KeyValuePair<string, object?>("from", kind switch
    {
        SubscriptionStartKind.Earliest => "earliest",
        SubscriptionStartKind.Rewind => "rewind",
        _ => "cursor",
    }));

    public void Reset(string reason)
    {
        _resets.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Interlocked.Increment(ref _resetsTotal);
    }

    public void GapRepaired(string where) => _gapRepairs.Add(1, new KeyValuePair<string, object?>("where", where));

    public void SlowClientDisconnected()
    {
        _slowClients.Add(1);
        Interlocked.Increment(ref _slowClientsTotal);
    }

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
