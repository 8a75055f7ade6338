using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.EventLog;

/// <summary>
/// The retention of the topics matching one pattern of <see cref="RetentionOptions.Topics"/>
/// (<c>Hub:Retention:Topics:{pattern}</c>). A limit left unset is the hub-wide one.
/// </summary>
public sealed class TopicRetention
{
    /// <summary>Events kept per matching topic; unset: <see cref="RetentionOptions.MaxEventsPerTopic"/>.</summary>
    [Range(1, 10_000_000)]
    public int? MaxEvents { get; set; }

    /// <summary>How long an event of a matching topic is kept; unset: <see cref="RetentionOptions.MaxAge"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan? MaxAge { get; set; }
}

/// <summary>The retention that applies to one topic: both limits apply.</summary>
public readonly record struct RetentionLimits(int MaxEvents, TimeSpan MaxAge);
