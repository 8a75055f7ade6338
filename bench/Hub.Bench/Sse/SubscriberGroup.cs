using Hub.Bench.Measuring;
using Hub.Bench.Targets;

namespace Hub.Bench.Sse;

/// <summary>
/// N subscribers spread round-robin over the nodes and topics. Connections are opened in waves (at most
/// <see cref="ConnectConcurrency"/> waiting for readiness at once) so a burst of thousands of SYNs does not
/// overflow the server's listen backlog and turn into second-long retransmits.
/// </summary>
public sealed class SubscriberGroup(IHubTarget target, HttpClient client, IReadOnlyList<string> topics, int count, LatencySink latency)
{
    private const int ConnectConcurrency = 200;

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public IReadOnlyList<SseSubscriber> Subscribers { get; } = [.. Enumerable.Range(0, count).Select(i => new SseSubscriber(
        client,
        target.SubscribeUri(target.Nodes[i % target.Nodes.Count], topics[i % topics.Count]),
        target.ReadyOnHeaders,
        latency))];

    public long Received => Subscribers.Sum(s => s.Tracker.Received);

    public int ReadyCount => Subscribers.Count(s => s.Ready.IsCompletedSuccessfully);

    public int ConnectedCount => Subscribers.Count(s => s.IsConnected);

    public int Reconnects => Subscribers.Sum(s => s.Reconnects);

    public int Failures => Subscribers.Sum(s => s.Failures);

    public int Resets => Subscribers.Sum(s => s.Resets);

    public long Duplicates => Subscribers.Sum(s => s.Tracker.Duplicates);

    public long OutOfOrder => Subscribers.Sum(s => s.Tracker.OutOfOrder);

    public string? LastError => Subscribers.Select(s => s.LastError).LastOrDefault(e => e is not null);

    /// <summary>Opens every connection and waits until each receives live events; throws when that takes longer than <paramref name="timeout"/>.</summary>
    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var slots = new SemaphoreSlim(ConnectConcurrency);
        try
        {
            foreach (var subscriber in Subscribers)
            {
                await slots.WaitAsync(deadline.Token).ConfigureAwait(false);
                _loops.Add(subscriber.RunAsync(_stop.Token));
                _ = subscriber.Ready.ContinueWith(_ => slots.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            await Task.WhenAll(Subscribers.Select(s => s.Ready)).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Only {ReadyCount} of {Subscribers.Count} subscribers were ready after {timeout.TotalSeconds:F0} s (last error: {LastError ?? "none"}).");
        }
    }

    /// <summary>
    /// Waits until the subscribers together received <paramref name="expected"/> events (or <paramref name="timeout"/>
    /// passes: then something was lost, which the loss count will show).
    /// </summary>
    public async Task<bool> WaitForDeliveriesAsync(long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var end = DateTime.UtcNow + timeout;
        while (Received < expected)
        {
            if (DateTime.UtcNow >= end)
                return false;
            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Ends every connection and waits for the read loops; afterwards the trackers may be read.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Acknowledged events that some subscriber never received, summed over subscribers; only after <see cref="StopAsync"/>.</summary>
    public long Lost(IEnumerable<PublishLedger> ledgers)
    {
        var list = ledgers.ToList();
        return Subscribers.Sum(s => list.Sum(s.Tracker.LostOf));
    }
}
