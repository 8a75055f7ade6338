using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Sse;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The node's feeds, one per topic with at least one connection: created by the first connection to a
/// topic and released (unsubscribed) when the last one leaves.
/// </summary>
public sealed class TopicFeeds(
    IClusterClient cluster,
    HubMetrics metrics,
    IOptions<SubscriptionOptions> options,
    IOptions<RetentionOptions> retention,
    IOptions<SseOptions> sse,
    ILogger<TopicFeed> feedLogger)
{
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);
    private IStreamProvider? _streams;

    public int Count
    {
        get
        {
            lock (_feeds)
                return _feeds.Count;
        }
    }

    /// <summary>A snapshot of the feeds, for the watchdog and metrics.</summary>
    public IReadOnlyList<TopicFeed> Snapshot()
    {
        lock (_feeds)
            return [.. _feeds.Values];
    }

    /// <summary>
    /// Attaches <paramref name="listener"/> to the live feed of each of <paramref name="topics"/> and waits
    /// until every feed stands, so that from here on the listener misses no live event. Returns the feeds
    /// in the set's order and, per topic, the exact live start: where the feed stood when it joined.
    /// With <paramref name="channel"/>, the feeds are of that channel of each topic (a feed of its own,
    /// on the channel's stream), not of the whole topic.
    /// </summary>
    public async Task<FeedAttachment> AttachAsync(IFeedListener listener, TopicSet topics, FeedChannel? channel = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(topics);
        var feeds = new TopicFeed[topics.Count];
        var starts = new TopicPosition?[topics.Count];
        lock (_feeds)
        {
            _streams ??= cluster.GetStreamProvider(HubStreams.Provider);
            for (var i = 0; i < topics.Count; i++)
            {
                var topic = topics.Topics[i];
                if (!_feeds.TryGetValue(Key(topic, channel), out var feed))
                    _feeds[Key(topic, channel)] = feed = new TopicFeed(topic, cluster, _streams, metrics, options.Value, retention.Value, sse.Value.ReplayPageSize, feedLogger, channel);
                starts[i] = feed.Add(listener);
                feeds[i] = feed;
            }
        }
        try
        {
            await Task.WhenAll(feeds.Select(f => f.Ready));
            return new FeedAttachment(feeds, [.. starts.Select((start, i) => start ?? feeds[i].InitialPosition)]);
        }
        catch
        {
            Detach(listener, topics, channel);
            throw;
        }
    }

    /// <summary>Detaches the listener from all its feeds and stops those it was the last one on.</summary>
    public void Detach(IFeedListener listener, TopicSet topics, FeedChannel? channel = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(topics);
        List<TopicFeed>? released = null;
        lock (_feeds)
        {
            foreach (var topic in topics.Topics)
            {
                if (!_feeds.TryGetValue(Key(topic, channel), out var feed))
                    continue;
                feed.Remove(listener);
                if (feed.ConnectionCount == 0)
                {
                    _feeds.Remove(Key(topic, channel));
                    (released ??= []).Add(feed);
                }
            }
        }
        foreach (var feed in released ?? [])
            _ = feed.StopAsync();
    }

    /// <summary>A feed's key: the topic, or the topic and a channel (a topic name has no space).</summary>
    private static string Key(string topic, FeedChannel? channel) => channel is null ? topic : topic + " " + channel.Name;
}

/// <summary>The feeds a listener joined, in its topic set's order, and where each stood when it joined.</summary>
public sealed record FeedAttachment(TopicFeed[] Feeds, TopicPosition[] LiveStarts);
