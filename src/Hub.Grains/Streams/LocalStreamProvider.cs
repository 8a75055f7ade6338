using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>
/// The stream provider of a single-silo hub (the embedded default): topic grains and the node's feeds live
/// in one process, so an event batch goes from the grain to each subscriber's mailbox as an object, and a
/// thread-pool turn hands it to the subscriber, in order. Orleans' persistent streams exist so that a
/// producer on one silo reaches consumers on others: a queue, a pulling agent per queue that reads it and
/// caches every batch until each cursor has passed it, pub-sub lookups and a grain-extension call per
/// delivery. With one silo all of that carried nothing but cost: at 500 streamed publishes it was 30 % of
/// the hub's CPU and most of what the GC promoted (docs/stream-hop.md). A Redis cluster keeps Orleans'
/// memory streams, where the hop is real.
/// <para>
/// Delivery is what the feeds rely on and no more: per subscription in publish order, never on the
/// producing grain's turn (a subscriber may call that grain back), best-effort. A subscriber that falls
/// <see cref="MailboxCapacity"/> batches behind loses the newest until it catches up, as a full queue
/// refuses them; a feed notices the jump in sequence and repairs from the log, as it does for a stream
/// that lost events on a cluster. Not rewindable, no sequence tokens, no batch observers: nothing in the
/// hub asks for them.
/// </para>
/// </summary>
public sealed partial class LocalStreamProvider(string name, ILogger<LocalStreamProvider> logger) : IStreamProvider
{
    /// <summary>Batches a subscription may have waiting before newer ones are dropped (the log still has them).</summary>
    public const int MailboxCapacity = 16_384;

    // Only streams with subscribers have an entry; a producer's stream handle looks its subscribers up on
    // every send, so an entry can go with its last subscriber without leaving a producer on a dead list.
    private readonly ConcurrentDictionary<StreamId, LocalSubscribers> _streams = new();

    public string Name { get; } = name;

    public bool IsRewindable => false;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new LocalStream<T>(this, streamId);

    /// <summary>Streams with at least one subscription: each holds an entry until its last one leaves.</summary>
    public int ActiveStreams => _streams.Count;

    /// <summary>The subscriptions of a stream at this moment (empty when it has none).</summary>
    internal ILocalSubscription[] SubscriptionsOf(StreamId streamId) =>
        _streams.TryGetValue(streamId, out var subscribers) ? subscribers.Current : [];

    internal void Add(ILocalSubscription subscription)
    {
        while (true)
        {
            var subscribers = _streams.GetOrAdd(subscription.StreamId, static _ => new LocalSubscribers());
            if (subscribers.TryAdd(subscription))
                return;
            // It emptied and was removed meanwhile: its replacement takes the subscription.
        }
    }

    internal void Remove(ILocalSubscription subscription)
    {
        if (_streams.TryGetValue(subscription.StreamId, out var subscribers) && subscribers.Remove(subscription))
            _streams.TryRemove(new KeyValuePair<StreamId, LocalSubscribers>(subscription.StreamId, subscribers));
    }

    internal void MailboxFull(StreamId streamId) => LogMailboxFull(logger, streamId, MailboxCapacity);

    internal void DeliveryFailed(StreamId streamId, Exception exception) => LogDeliveryFailed(logger, exception, streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber of stream {StreamId} is {Capacity} batches behind; newer batches are dropped until it catches up (feeds repair from the log)")]
    private static partial void LogMailboxFull(ILogger logger, StreamId streamId, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber of stream {StreamId} failed to take a batch")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, StreamId streamId);

    /// <summary>
    /// One stream's subscriptions as an array that a send reads without a lock; changes copy it. Once
    /// emptied it is closed for good, so a subscription never joins an entry already removed.
    /// </summary>
    private sealed class LocalSubscribers
    {
        private readonly Lock _changing = new();
        private ILocalSubscription[] _current = [];
        private bool _closed;

        public ILocalSubscription[] Current => Volatile.Read(ref _current);

        public bool TryAdd(ILocalSubscription subscription)
        {
            lock (_changing)
            {
                if (_closed)
                    return false;
                Volatile.Write(ref _current, [.. _current, subscription]);
                return true;
            }
        }

        /// <summary>Removes the subscription; true when that emptied (and closed) the list.</summary>
        public bool Remove(ILocalSubscription subscription)
        {
            lock (_changing)
            {
                var left = Array.FindAll(_current, s => !ReferenceEquals(s, subscription));
                if (left.Length == _current.Length)
                    return false;
                Volatile.Write(ref _current, left);
                _closed = left.Length == 0;
                return _closed;
            }
        }
    }
}
