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
    /// How often the node re-checks its stream subscriptions and compares what it delivered with each
    /// topic's head. This bounds how long a lost subscription or a lost last event can go unnoticed.
    /// Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeadCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
