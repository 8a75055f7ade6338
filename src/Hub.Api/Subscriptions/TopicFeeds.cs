using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
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
    /// Attaches <paramref name="connection"/> to the live feed of each of its topics and waits until every
    /// feed stands, so that from here on the connection misses no live event.
    /// </summary>
    public async Task AttachAsync(SseConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var feeds = new List<TopicFeed>(connection.Topics.Count);
        var starts = new TopicPosition?[connection.Topics.Count];
        lock (_feeds)
        {
            _streams ??= cluster.GetStreamProvider(HubStreams.Provider);
            foreach (var topic in connection.Topics.Topics)
            {
                if (!_feeds.TryGetValue(topic, out var feed))
                    _feeds[topic] = feed = new TopicFeed(topic, cluster, _streams, metrics, options.Value, retention.Value, feedLogger);
                starts[feeds.Count] = feed.Add(connection);
                feeds.Add(feed);
            }
        }
        connection.Feeds = feeds;
        try
        {
            await Task.WhenAll(feeds.Select(f => f.Ready));
            connection.LiveStart = [.. starts.Select((start, i) => start ?? feeds[i].InitialPosition)];
        }
        catch
        {
            Detach(connection);
            throw;
        }
    }

    /// <summary>Detaches the connection from all its feeds and releases those it was the last one on.</summary>
    public void Detach(SseConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        List<TopicFeed>? released = null;
        lock (_feeds)
        {
            foreach (var topic in connection.Topics.Topics)
            {
                if (!_feeds.TryGetValue(topic, out var feed))
                    continue;
                feed.Remove(connection);
                if (feed.ConnectionCount == 0)
                {
                    _feeds.Remove(topic);
                    (released ??= []).Add(feed);
                }
            }
        }
        foreach (var feed in released ?? [])
            _ = feed.StopAsync();
    }
}
