using System.Text.RegularExpressions;

namespace Hub.Api.Mercure;

/// <summary>
/// One Mercure topic selector: <c>*</c> (every topic; special only as the whole selector), a URI
/// template (matches what it can expand to) or any other string (matches that topic byte for byte). As
/// in Mercure, a template also matches its own text exactly, and a string that does not parse as a
/// template is compared as a plain string. Immutable; made by <see cref="TopicSelectorCache"/>.
/// </summary>
public sealed class TopicSelector
{
    public const string AnyTopic = "*";

    private readonly Regex? _template;

    internal TopicSelector(string text)
    {
        Text = text;
        MatchesEverything = text == AnyTopic;
        if (!MatchesEverything && UriTemplatePattern.TryCompile(text, out var regex))
            _template = regex;
    }

    public string Text { get; }

    public bool MatchesEverything { get; }

    public bool IsTemplate => _template is not null;

    public bool IsMatch(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return MatchesEverything || string.Equals(Text, topic, StringComparison.Ordinal) || (_template?.IsMatch(topic) ?? false);
    }

    /// <summary>True when this selector matches any of <paramref name="topics"/>.</summary>
    public bool IsMatchAny(IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        for (var i = 0; i < topics.Count; i++)
        {
            if (IsMatch(topics[i]))
                return true;
        }
        return false;
    }

    /// <summary>True when one of <paramref name="selectors"/> matches one of <paramref name="topics"/>.</summary>
    public static bool AnyMatch(IReadOnlyList<TopicSelector> selectors, IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        for (var i = 0; i < selectors.Count; i++)
        {
            if (selectors[i].IsMatchAny(topics))
                return true;
        }
        return false;
    }
}
