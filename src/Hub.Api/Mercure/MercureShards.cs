using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// Shards the live traffic of the Mercure update log, so a node receives only updates some subscriber of
/// it could match. A topic's shard is a hash of its origin (<see cref="KeyOf"/>: <c>scheme://authority</c>,
/// or the whole topic when it has none) modulo <see cref="MercureOptions.Shards"/>. Every update is still
/// one event of the one log (its hub-wide order and id are untouched); it also goes out on the channel of
/// each shard its topics fall in (<see cref="EventDraft.Channels"/>). A connection whose selectors can
/// only match topics of one shard (exact topics, templates whose <c>scheme://authority</c> is literal)
/// listens to that shard's feed; any other (<c>*</c>, a variable authority, selectors across shards) to
/// the whole log's feed, as before. Every API node must use the same number of shards: a node that uses
/// another still delivers everything, but from the log at each head check rather than live.
/// </summary>
public sealed class MercureShards
{
    private readonly int _count;
    private readonly string[] _names;
    private readonly FeedChannel[] _channels;

    public MercureShards(IOptions<MercureOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _count = options.Value.Shards;
        // The group names the count, so shards of different counts never share a channel.
        _names = [.. Enumerable.Range(0, _count).Select(shard => $"mercure-{_count}:{shard}")];
        _channels = [.. Enumerable.Range(0, _count).Select(shard => new FeedChannel(_names[shard], e => Contains(e, shard)))];
    }

    /// <summary>The channels of <paramref name="topics"/>' shards, once each; null when sharding is off.</summary>
    public IReadOnlyList<string>? ChannelsOf(IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (_count == 0)
            return null;
        var channels = new List<string>(1);
        foreach (var topic in topics)
        {
            var name = _names[ShardOf(KeyOf(topic))];
            if (!channels.Contains(name))
                channels.Add(name);
        }
        return channels;
    }

    /// <summary>The shard feed a connection with <paramref name="selectors"/> listens to; null: the whole log's feed.</summary>
    public FeedChannel? ChannelFor(IReadOnlyList<TopicSelector> selectors)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        if (_count == 0)
            return null;
        int? shard = null;
        foreach (var selector in selectors)
        {
            if (KeyOf(selector) is not { } key)
                return null;
            var s = ShardOf(key);
            if (shard is not null && shard != s)
                return null;
            shard = s;
        }
        return shard is { } one ? _channels[one] : null;
    }

    /// <summary>
    /// The part of a topic that picks its shard: <c>scheme://authority</c> (up to the first <c>/</c>,
    /// <c>?</c> or <c>#</c> after <c>://</c>), or the whole topic when it has no <c>://</c> or nothing follows the authority.
    /// </summary>
    public static string KeyOf(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var scheme = topic.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
            return topic;
        var end = topic.IndexOfAny(['/', '?', '#'], scheme + 3);
        return end < 0 ? topic : topic[..end];
    }

    /// <summary>
    /// The key every topic <paramref name="selector"/> matches has, or null when they may have several:
    /// <c>*</c>, or a template whose <c>scheme://authority</c> holds an expression or is not ended by a
    /// literal <c>/</c>, <c>?</c> or <c>#</c> (an expression right after it could extend the authority).
    /// A template's literal text is matched literally from the start, so its matches share that prefix.
    /// </summary>
    public static string? KeyOf(TopicSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.MatchesEverything)
            return null;
        var text = selector.Text;
        if (!selector.IsTemplate)
            return KeyOf(text);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
            return null;
        var end = text.IndexOfAny(['/', '?', '#'], scheme + 3);
        if (end < 0 || text.AsSpan(0, end).Contains('{'))
            return null;
        return text[..end];
    }

    /// <summary>FNV-1a over the key's UTF-16 code units: stable across processes and runs, unlike <see cref="string.GetHashCode()"/>.</summary>
    public int ShardOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = 2166136261u;
        foreach (var c in key)
            hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)_count);
    }

    private bool Contains(TopicEvent stored, int shard)
    {
        if (MercureUpdate.Of(stored) is not { } update)
            return false;
        foreach (var topic in update.Topics)
        {
            if (ShardOf(KeyOf(topic)) == shard)
                return true;
        }
        return false;
    }
}
