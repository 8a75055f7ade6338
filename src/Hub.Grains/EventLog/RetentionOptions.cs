using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.EventLog;

/// <summary>How much history each topic keeps (section <c>Hub:Retention</c>). Both limits apply.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Hub:Retention";

    /// <summary>Events kept per topic; older ones are dropped on append. Default 1,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxEventsPerTopic { get; set; } = 1_000;

    /// <summary>
    /// Events kept in each of the hub's internal topics (names starting with <c>~</c>): the Mercure update
    /// log is one, and it holds every Mercure update of the hub in one order, so it needs more than one
    /// topic's worth. Default 10,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxEventsPerInternalTopic { get; set; } = 10_000;

    /// <summary>The count limit that applies to <paramref name="topic"/>.</summary>
    public int MaxEventsFor(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.StartsWith(Contracts.EventRules.InternalTopicPrefix, StringComparison.Ordinal) ? MaxEventsPerInternalTopic : MaxEventsPerTopic;
    }

    /// <summary>How long an event is kept. Default 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);
}
