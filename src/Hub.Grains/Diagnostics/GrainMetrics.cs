using System.Diagnostics.Metrics;

namespace Hub.Grains.Diagnostics;

/// <summary>What the silo side measures: how long log appends take and how many events each carries (group commit at work).</summary>
public sealed class GrainMetrics
{
    public const string MeterName = "Hub.Grains";

    private readonly Histogram<double> _appendDuration;
    private readonly Histogram<int> _appendEvents;

    public GrainMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _appendDuration = meter.CreateHistogram<double>("hub.log.append.duration", "ms", "Time for one event-log append (one Redis round trip on Redis).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 20, 50, 100, 250, 1000] });
        _appendEvents = meter.CreateHistogram<int>("hub.log.append.events", "{event}", "Events written by one append; above 1 when publishes queued up (group commit).");
    }

    public void Appended(TimeSpan duration, int events)
    {
        _appendDuration.Record(duration.TotalMilliseconds);
        _appendEvents.Record(events);
    }
}
