using System.Collections.Concurrent;

namespace Hub.Api.Subscriptions;

/// <summary>Every SSE connection open on this node: for keep-alives, shutdown and metrics.</summary>
public sealed class SseConnections
{
    private readonly ConcurrentDictionary<long, SseConnection> _open = new();

    public int Count => _open.Count;

    public IEnumerable<SseConnection> All => _open.Values;

    public void Add(SseConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _open[connection.Id] = connection;
    }

    public void Remove(SseConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _open.TryRemove(connection.Id, out _);
    }
}
