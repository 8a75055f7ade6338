using System.Collections.Concurrent;
using Hub.Grains.Contracts;

namespace Hub.Api.Mercure;

/// <summary>
/// The Mercure subscriptions open on this node, one entry per connection (its subscriber id and one
/// record per distinct selector), and the node's answer to a cluster-wide listing (it is the observer
/// the node registers with <see cref="IMercureSubscriptionDirectoryGrain"/>). A connection is in here
/// from just before its "active" events are published until just before its "inactive" ones: that order
/// is what lets a client combine a listing with the events after its <c>lastEventID</c> (see
/// <see cref="MercureSubscriptions"/>).
/// </summary>
public sealed class MercureNodeSubscriptions : IMercureNodeSubscriptions
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<MercureSubscriptionRecord>> _connections = new(StringComparer.Ordinal);
    private TaskCompletionSource? _empty;

    /// <summary>Open connections with at least one listed subscription.</summary>
    public int Count => _connections.Count;

    public void Add(string subscriber, IReadOnlyList<MercureSubscriptionRecord> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (!_connections.TryAdd(subscriber, subscriptions))
            throw new InvalidOperationException($"Subscriber {subscriber} is listed already.");
    }

    public void Remove(string subscriber)
    {
        if (_connections.TryRemove(subscriber, out _) && _connections.IsEmpty)
            Volatile.Read(ref _empty)?.TrySetResult();
    }

    /// <summary>Completes when no connection is listed (at shutdown, once the drain has closed them all).</summary>
    public Task WhenEmptyAsync()
    {
        var empty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _empty, empty);
        // Checked after publishing the source, so a removal in between is seen by one or the other.
        if (_connections.IsEmpty)
            empty.TrySetResult();
        return empty.Task;
    }

    public Task<IReadOnlyList<MercureSubscriptionRecord>> ListAsync(MercureSubscriptionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var found = new List<MercureSubscriptionRecord>();
        if (filter.Subscriber is { } subscriber)
        {
            if (_connections.TryGetValue(subscriber, out var one))
                found.AddRange(one.Where(s => filter.Matches(s.Topic, s.Subscriber)));
        }
        else
        {
            foreach (var connection in _connections.Values)
                found.AddRange(connection.Where(s => filter.Matches(s.Topic, s.Subscriber)));
        }
        return Task.FromResult<IReadOnlyList<MercureSubscriptionRecord>>(found);
    }
}
