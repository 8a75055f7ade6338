using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.EventLog;

/// <summary>How much keyed state each topic keeps beside its log (section <c>Hub:Topics</c>).</summary>
public sealed class TopicStateOptions
{
    public const string Section = "Hub:Topics";

    /// <summary>
    /// Keys whose latest event a topic keeps; past it the key whose latest event is oldest is forgotten.
    /// Default 10,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxKeys { get; set; } = 10_000;
}
