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
    /// Largest <c>POST /subscribe</c> body in bytes, enforced while it is read: a longer one is answered
    /// 413 before it is parsed. Default 64 KiB: 64 topics of 128 characters with every character JSON-escaped
    /// (<c>\uXXXX</c>, 6 bytes) take 49 KiB, plus a cursor of 4,096. Raise it with <c>MaxTopics</c>.
    /// </summary>
    [Range(1_024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Newest events each node keeps per active topic, formatted once: the ring that live connections
    /// catch up from when their previous write is still flushing, and that serves clients resuming within
    /// it (a reconnect, a drained node's clients) without asking the log. A connection that falls further
    /// behind than the ring is too slow: it is closed and resumes by cursor from the log. The ring never
    /// holds more than half of <c>Hub:Retention:MaxEventsPerTopic</c>, so a client cut off for being slow
    /// still finds its next event in the log instead of a reset. Default 512 (at least 16).
    /// </summary>
    [Range(16, 100_000)]
    public int RecentEventsPerTopic { get; set; } = 512;

    /// <summary>
    /// Upper bound on the bytes those events take per topic (their formatted bodies). With large events
    /// this, not the count, decides how far behind a connection may fall. Default 4 MiB.
    /// </summary>
    [Range(64 * 1024, 1L << 32)]
    public long RecentBytesPerTopic { get; set; } = 4 * 1024 * 1024;

    /// <summary>The ring's size for a topic whose log keeps <paramref name="retainedEvents"/>: the configured size, at most half of that, at least 16.</summary>
    public int RecentEventsFor(int retainedEvents) => Math.Max(16, Math.Min(RecentEventsPerTopic, retainedEvents / 2));

    /// <summary>
    /// How often the node re-checks its stream subscriptions and compares what it delivered with each
    /// topic's head. This bounds how long a lost subscription or a lost last event can go unnoticed.
    /// Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeadCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
