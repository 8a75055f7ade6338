using Hub.Grains.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Hub.Grains.Mercure;

/// <summary>
/// The directory of API nodes that hold Mercure subscriptions (see
/// <see cref="IMercureSubscriptionDirectoryGrain"/>). Reentrant so a listing that waits on slow nodes
/// does not hold up renewals or other listings; the node table is only read or written between awaits,
/// and a listing works on a copy of it. Its state is the leases alone and is not persisted: after the
/// grain moves (its silo died) it starts empty and fills again as nodes renew, within one renewal
/// period.
/// </summary>
[Reentrant]
public sealed partial class MercureSubscriptionDirectoryGrain(TimeProvider time, ILogger<MercureSubscriptionDirectoryGrain> logger)
    : Grain, IMercureSubscriptionDirectoryGrain
{
    private readonly Dictionary<string, Registration> _nodes = new(StringComparer.Ordinal);

    public Task RegisterAsync(string node, IMercureNodeSubscriptions observer, TimeSpan lease)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (!_nodes.ContainsKey(node))
            LogRegistered(logger, node);
        _nodes[node] = new Registration(observer, time.GetUtcNow() + lease);
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        _nodes.Remove(node);
        return Task.CompletedTask;
    }

    public async Task<MercureSubscriptionListing> ListAsync(MercureSubscriptionFilter filter, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var now = time.GetUtcNow();
        foreach (var (node, registration) in _nodes.Where(n => n.Value.Expires <= now).ToList())
        {
            LogExpired(logger, node);
            _nodes.Remove(node);
        }
        var asked = _nodes.ToList();
        var answers = await Task.WhenAll(asked.Select(n => AskAsync(n.Key, n.Value, filter, timeout)));
        var subscriptions = new List<MercureSubscriptionRecord>();
        var unanswered = 0;
        foreach (var answer in answers)
        {
            if (answer is null)
                unanswered++;
            else
                subscriptions.AddRange(answer);
        }
        return new MercureSubscriptionListing(subscriptions, asked.Count, unanswered);
    }

    /// <summary>
    /// One node's answer, or null when it failed or was too slow. Such a node is dropped until it renews:
    /// a node that is alive renews within a fraction of its lease, while a dead one would otherwise cost
    /// every listing the full timeout until its lease ran out.
    /// </summary>
    private async Task<IReadOnlyList<MercureSubscriptionRecord>?> AskAsync(string node, Registration registration, MercureSubscriptionFilter filter, TimeSpan timeout)
    {
        try
        {
            return await registration.Observer.ListAsync(filter).WaitAsync(timeout);
        }
        catch (Exception ex)
        {
            // Whatever failed on that node (gone, timed out, or a fault in its answer), the others still answer.
            LogUnanswered(logger, node, ex);
            // Only the registration that failed: the node may have renewed (a new observer) meanwhile.
            if (_nodes.TryGetValue(node, out var current) && ReferenceEquals(current, registration))
                _nodes.Remove(node);
            return null;
        }
    }

    private sealed record Registration(IMercureNodeSubscriptions Observer, DateTimeOffset Expires);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mercure subscription directory: node {Node} registered")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mercure subscription directory: node {Node} let its lease expire; dropped")]
    private static partial void LogExpired(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mercure subscription directory: node {Node} did not answer a listing; dropped until it renews")]
    private static partial void LogUnanswered(ILogger logger, string node, Exception exception);
}
