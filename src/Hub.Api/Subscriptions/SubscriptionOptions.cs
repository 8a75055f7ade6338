using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Subscriptions;

/// <summary>Limits and checks for subscriptions (section <c>Hub:Subscriptions</c>).</summary>
public sealed class SubscriptionOptions
{
    public const string Section = "Hub:Subscriptions";

    /// <summary>Most topics on one connection. Default 64.</summary>
    [Range(1, 1_024)]
    public int MaxTopics { get; set; } = 64;

    /// <summary>Longest cursor accepted. Default 4,096 characters (64 topics in distinct epochs need about 1,000).</summary>
    [Range(16, 65_536)]
    public int MaxCursorLength { get; set; } = 4_096;

    /// <summary>
    /// Newest events each node keeps per active topic, formatted, so that clients resuming within them
    /// (a reconnect, a drained node's clients) are served from memory without asking the log. 0 turns
    /// this off. Default 1,024.
    /// </summary>
    [Range(0, 100_000)]
    public int RecentEventsPerTopic { get; set; } = 1_024;

    /// <summary>Upper bound on the bytes those events take per topic. Default 4 MiB.</summary>
    [Range(0, 1L << 32)]
    public long RecentBytesPerTopic { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How often the node re-checks its stream subscriptions and compares what it delivered with each
    /// topic's head. This bounds how long a lost subscription or a lost last event can go unnoticed.
    /// Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeadCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
