using System.ComponentModel.DataAnnotations;
using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// How much history each topic keeps (section <c>Hub:Retention</c>). Both limits apply: the hub-wide
/// ones, or those of the most specific pattern of <see cref="Topics"/> that matches the topic.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
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

    /// <summary>
    /// Retention by topic pattern (exact names or <c>*</c> wildcards, see <see cref="TopicGlob"/>), e.g.
    /// <c>Hub:Retention:Topics:chat.*:MaxAge = 01:00:00</c> so short-lived answer topics cost nothing
    /// once read, while other topics keep theirs. An exact name wins over patterns, then the longest
    /// matching pattern. Internal topics (<c>~</c>) are never matched. Default: none.
    /// </summary>
    public Dictionary<string, TopicRetention> Topics { get; set; } = new(StringComparer.Ordinal);

    // Sorted once, on first use (options are bound before the log reads them and never change after).
    private KeyValuePair<string, TopicRetention>[]? _rules;

    /// <summary>The limits that apply to <paramref name="topic"/>.</summary>
    public RetentionLimits For(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.StartsWith(Contracts.EventRules.InternalTopicPrefix, StringComparison.Ordinal))
            return new RetentionLimits(MaxEventsPerInternalTopic, MaxAge);
        if (Topics.Count > 0)
        {
            foreach (var (pattern, rule) in _rules ??= Sorted(Topics))
            {
                if (TopicGlob.Matches(pattern, topic))
                    return new RetentionLimits(rule.MaxEvents ?? MaxEventsPerTopic, rule.MaxAge ?? MaxAge);
            }
        }
        return new RetentionLimits(MaxEventsPerTopic, MaxAge);
    }

    /// <summary>The count limit that applies to <paramref name="topic"/>.</summary>
    public int MaxEventsFor(string topic) => For(topic).MaxEvents;

    /// <summary>Exact names first, then patterns from the most specific (longest without its wildcards).</summary>
    private static KeyValuePair<string, TopicRetention>[] Sorted(Dictionary<string, TopicRetention> topics) =>
        [.. topics
            .OrderBy(p => p.Key.Contains(TopicGlob.Wildcard, StringComparison.Ordinal) ? 1 : 0)
            .ThenByDescending(p => p.Key.Replace("*", "", StringComparison.Ordinal).Length)
            .ThenBy(p => p.Key, StringComparer.Ordinal)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (pattern, rule) in Topics)
        {
            if (TopicGlob.Check(pattern) is { } problem)
                yield return new ValidationResult($"Hub:Retention:Topics:{pattern} is not a topic pattern: {problem}", [nameof(Topics)]);
            if (rule is null)
                continue;
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(rule, new ValidationContext(rule), results, validateAllProperties: true))
            {
                foreach (var result in results)
                    yield return new ValidationResult($"Hub:Retention:Topics:{pattern}: {result.ErrorMessage}", [nameof(Topics)]);
            }
        }
    }

    /// <summary>How long an event is kept. Default 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);
}
