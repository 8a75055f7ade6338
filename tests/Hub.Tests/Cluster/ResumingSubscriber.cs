using System.Diagnostics;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Cluster;

/// <summary>
/// A subscriber that behaves like a browser's EventSource in front of a load balancer: when its stream
/// ends or breaks it reconnects to a live API node with its last id (<c>Last-Event-ID</c>), and keeps
/// every event it received, in order, so a test can check nothing was lost or repeated.
/// </summary>
public sealed class ResumingSubscriber : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(200);
    private readonly HubCluster _cluster;
    private readonly string _path;
    private readonly List<string> _data = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private int _node;

    private ResumingSubscriber(HubCluster cluster, string path, int node, string[] topics)
    {
        Topics = topics;
        _cluster = cluster;
        _path = path;
        _node = node;
    }

    public IReadOnlyList<string> Topics { get; }

    /// <summary>Times the subscriber connected after its first connection.</summary>
    public int Reconnects { get; private set; }

    /// <summary>The pid of the API node it is connected to now (0 while between connections).</summary>
    public int NodePid { get; private set; }

    public string? LastEventId { get; private set; }

    /// <summary>The data of every event received, in order of arrival.</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_data)
                return [.. _data];
        }
    }

    /// <summary>Subscribes to <paramref name="topics"/> on API node <paramref name="node"/> and returns once the hub attached the stream.</summary>
    public static async Task<ResumingSubscriber> StartAsync(HubCluster cluster, int node, params string[] topics)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var path = topics.Length == 1
            ? $"topics/{topics[0]}/events"
            : "events?" + string.Join('&', topics.Select(t => $"topic={Uri.EscapeDataString(t)}"));
        var subscriber = new ResumingSubscriber(cluster, path, node, topics);
        var first = await SseStream.OpenAsync(cluster.Http, new Uri(cluster.Api(node).Address, path).ToString());
        subscriber.NodePid = cluster.Api(node).Pid;
        subscriber._running = Task.Run(() => subscriber.RunAsync(first));
        return subscriber;
    }

    /// <summary>The received data of events of <paramref name="topic"/>, in order.</summary>
    public IReadOnlyList<string> ReceivedOf(string topic) => [.. Received.Where(d => d.StartsWith(topic + "|", StringComparison.Ordinal))];

    /// <summary>Waits until at least <paramref name="count"/> events of <paramref name="topic"/> have arrived.</summary>
    public async Task WaitForAsync(string topic, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (ReceivedOf(topic).Count < count)
        {
            if (_running!.IsCompleted)
                await _running;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{ReceivedOf(topic).Count} of {count} events of {topic} arrived within {timeout} ({Reconnects} reconnects).");
            // The events arrive on a background reader; poll its count.
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    private async Task RunAsync(SseStream? stream)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (stream is null)
            {
                stream = await ReconnectAsync();
                if (stream is null)
                    continue;
            }
            await using (stream)
            {
                await ReadUntilEndAsync(stream);
                LastEventId = stream.LastEventId ?? LastEventId;
            }
            stream = null;
            NodePid = 0;
        }
    }

    private async Task ReadUntilEndAsync(SseStream stream)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var item = await stream.NextAsync(TimeSpan.FromMilliseconds(500));
                LastEventId = stream.LastEventId;
                lock (_data)
                    _data.Add(item.EventType == "status" ? item.Data : $"{item.EventType}:{item.Data}");
            }
            catch (TimeoutException)
            {
                // Nothing for a while: look at the stop signal, then keep reading.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The node closed the stream (drain) or died: reconnect, like EventSource.
                return;
            }
        }
    }

    /// <summary>One attempt to reconnect to the next live API node with the last id; null when it did not work out.</summary>
    private async Task<SseStream?> ReconnectAsync()
    {
        try
        {
            await Task.Delay(ReconnectDelay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var live = _cluster.LiveApis;
        if (live.Count == 0)
            return null;
        var node = live[++_node % live.Count];
        try
        {
            var stream = await SseStream.OpenAsync(_cluster.Http, new Uri(node.Address, _path).ToString(), LastEventId);
            Reconnects++;
            NodePid = node.Pid;
            return stream;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TimeoutException or TaskCanceledException)
        {
            // A node that is draining answers with a retry only, one that just died refuses: try another.
            return null;
        }
    }
}
