namespace Hub.Grains.Contracts;

/// <summary>
/// Topic name patterns: exact names, or names with <c>*</c> wildcards where a <c>*</c> matches any run of
/// characters, dots included (<c>chat.*</c> matches <c>chat.42</c> and <c>chat.42.draft</c>; <c>*</c>
/// matches every topic). API nodes use them for private topics and token grants, the event log for
/// per-topic retention.
/// </summary>
public static class TopicGlob
{
    public const char Wildcard = '*';

    /// <summary>Null when <paramref name="pattern"/> is a topic name in which some characters may be <c>*</c>.</summary>
    public static string? Check(string pattern)
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
