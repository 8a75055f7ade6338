using Hub.Grains.Contracts;

namespace Hub.Api.Security;

/// <summary>
/// A set of topic patterns: exact names, or names with <c>*</c> wildcards where a <c>*</c> matches any
/// run of characters, dots included (<c>status.*</c> matches <c>status.eu</c> and <c>status.eu.db</c>;
/// <c>*</c> matches every topic). Used for private topics and for the grants in a token.
/// </summary>
public sealed class TopicPatterns
{
    public const char Wildcard = TopicGlob.Wildcard;

    public static readonly TopicPatterns None = new([]);

    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _wildcards = [];

    public TopicPatterns(IEnumerable<string?> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        foreach (var pattern in Split(patterns))
        {
            if (pattern.Contains(Wildcard, StringComparison.Ordinal))
                _wildcards.Add(pattern);
            else
                _exact.Add(pattern);
        }
    }

    public bool IsEmpty => _exact.Count == 0 && _wildcards.Count == 0;

    public bool IsMatch(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (_exact.Contains(topic))
            return true;
        foreach (var pattern in _wildcards)
        {
            if (Matches(pattern, topic))
                return true;
        }
        return false;
    }

    /// <summary>The patterns of configuration entries, each of which may list several separated by commas.</summary>
    public static IEnumerable<string> Split(IEnumerable<string?> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries
            .Where(e => !string.IsNullOrWhiteSpace(e))
            .SelectMany(e => e!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Null when <paramref name="pattern"/> is a topic name in which some characters may be <c>*</c>.</summary>
    public static string? CheckPattern(string pattern) => TopicGlob.Check(pattern);

    /// <summary>Whether <paramref name="topic"/> matches <paramref name="pattern"/> (see <see cref="TopicGlob"/>).</summary>
    public static bool Matches(string pattern, string topic) => TopicGlob.Matches(pattern, topic);
}
