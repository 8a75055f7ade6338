using System.ComponentModel.DataAnnotations;
using Orleans.Configuration;

namespace Hub.Grains.Hosting;

/// <summary>
/// The Orleans streams that carry events from topic grains to API nodes (section <c>Hub:Streams</c>). On a
/// Redis cluster they are memory streams, delivered by one pulling agent per queue that polls its queue
/// grain on a timer, so these settings trade idle CPU against the latency every event pays. A single-silo
/// hub has no queues, agents or polls (<see cref="Streams.LocalStreamProvider"/>), so none of these settings
/// apply to it. Figures, commands and reasoning:
/// docs/stream-hop.md (idle: /proc/PID/stat over 60 s after 60 s of settling, several hubs side by side;
/// latency: <c>Hub.Bench fanout</c>; all on 2 cores shared with other builds, so read them as ranges).
/// </summary>
public sealed class HubStreamOptions
{
    public const string Section = "Hub:Streams";

    /// <summary>
    /// How often each stream queue is polled; every event waits for the next poll, so p50 grows by about half
    /// the period. Idle CPU follows the wake-ups per second, not the work: the embedded hub with no traffic
    /// used 12–14 % of a core at 5 ms, 11–14 % at 10 ms, 9–10 % at 20 ms, 6 % at 50 ms and 3 % with the
    /// queues all but unpolled (10 s); publish→receive p50 (100 subscribers, 50 events/s) was 9.5 ms at
    /// 5 ms, 11–12 ms at 10 ms and 18 ms at 20 ms. Default 10 ms: 20 ms saves about 2.5 points of a core for
    /// 6 ms on every event, and no period that keeps latency low meets the 2 % idle budget.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Stream queues per cluster (one pulling agent and one queue grain each); must be the same on silos and
    /// API nodes. Default 8. Fewer queues idle only a little cheaper (2 queues 1–2 points of a core below 8 at
    /// the same period) but every topic's publishes then go through fewer queue grains: with 64 publishers on
    /// 100 topics 8 queues acknowledged 4.4k publishes/s against 2.9–3.1k with 1 or 2. In a cluster the
    /// consistent-ring balancer spreads queues over silos by hash, so as many queues as silos often leaves a
    /// silo without any; keep several per silo.
    /// </summary>
    [Range(1, 256)]
    public int QueueCount { get; set; } = 8;

    /// <summary>
    /// Most queued events of one topic a pulling agent hands a subscriber in one delivery (Orleans'
    /// <c>StreamPullingAgentOptions.BatchContainerBatchSize</c>, default 1 there). Only events that queued up
    /// between two polls share a delivery, so light load is unchanged; under saturation one message carries
    /// many events. 1,000 subscribers offered 200 events/s (<c>Hub.Bench fanout --subscribers 1000 --rate 200</c>):
    /// 44–90k deliveries/s with 16 against 21–43k with 1 in four alternated pairs, nothing lost, duplicated or
    /// reordered; 100 subscribers at 50 events/s: same p50. Default 16.
    /// </summary>
    [Range(1, 1024)]
    public int DeliveryBatchSize { get; set; } = 16;

    /// <summary>The pulling agents' settings for these options.</summary>
    public void ApplyTo(StreamPullingAgentOptions agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        agent.GetQueueMsgsTimerPeriod = PollPeriod;
        agent.BatchContainerBatchSize = DeliveryBatchSize;
    }
}
