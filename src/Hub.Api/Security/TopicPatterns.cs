using Hub.Grains.Contracts;

namespace Hub.Api.Security;

/// <summary>
/// A set of topic patterns: exact names, or names with <c>*</c> wildcards where a <c>*</c> matches any
/// run of characters, dots included (<c>status.*</c> matches <c>status.eu</c> and <c>status.eu.db</c>;
/// <c>*</c> matches every topic). Used for private topics and for the grants in a token.
/// </summary>
public sealed class TopicPatterns
{
    public const char Wildcard = '*';

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
    public static string? CheckPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern == "*")
            return null;
        // Any letter will do in place of a wildcard for checking what is left against the topic rules.
        return EventRules.CheckTopic(pattern.Replace(Wildcard, 'x'));
    }

    /// <summary>
    /// Glob match with backtracking to the last <c>*</c> only: O(pattern × topic) at worst, never
    /// exponential, whatever a pattern looks like.
    /// </summary>
    public static bool Matches(string pattern, string topic)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(topic);
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < topic.Length)
        {
            if (p < pattern.Length && pattern[p] == Wildcard)
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == topic[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == Wildcard)
            p++;
        return p == pattern.Length;
    }
}
