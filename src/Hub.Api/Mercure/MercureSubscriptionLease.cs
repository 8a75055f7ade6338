using Hub.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// Keeps this node registered in the cluster's <see cref="IMercureSubscriptionDirectoryGrain"/> so
/// listings ask it for its subscriptions. The node registers when its first Mercure subscription opens
/// (that subscription waits for it: once its headers are out it is listed from every node), then renews
/// every third of <see cref="MercureOptions.SubscriptionsLease"/>, and unregisters when it stops. A node
/// that dies simply stops renewing and drops out when its lease ends, or sooner when a listing finds it
/// gone. A node that never had a subscriber never registers: it has nothing to list.
/// </summary>
public sealed partial class MercureSubscriptionLease(
    IGrainFactory grains,
    MercureNodeSubscriptions node,
    IOptions<MercureOptions> options,
    ILogger<MercureSubscriptionLease> logger) : BackgroundService
{
    private readonly string _node = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly TimeSpan _lease = options.Value.SubscriptionsLease;
    private readonly TaskCompletionSource _needed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    // The first registration, shared by the connections that open meanwhile; reset when it fails, so the
    // next connection tries again. Once it has succeeded the renewals keep the lease.
    private Task? _first;
    private volatile bool _registered;
    private IMercureNodeSubscriptions? _reference;

    private IMercureSubscriptionDirectoryGrain Directory => grains.GetGrain<IMercureSubscriptionDirectoryGrain>(IMercureSubscriptionDirectoryGrain.Key);

    /// <summary>Completes when the node is registered, or when registering failed (logged; the renewals retry).</summary>
    public Task EnsureRegisteredAsync()
    {
        if (_registered)
            return Task.CompletedTask;
        lock (_gate)
            return _first ??= RegisterFirstAsync();
    }

    private async Task RegisterFirstAsync()
    {
        await Task.Yield(); // out of the lock
        try
        {
            await RenewAsync();
            _registered = true;
        }
        catch (Exception ex)
        {
            LogRenewFailed(logger, _node, ex);
            lock (_gate)
                _first = null;
        }
        _needed.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _needed.Task.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(_lease / 3);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RenewAsync();
                    _registered = true;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRenewFailed(logger, _node, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The drain closes the node's connections over its window (each publishing its "inactive"
            // events); they stay listed, and the lease renewed, until the last one has gone.
            await node.WhenEmptyAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ended the wait; the lease ends on its own.
        }
        await base.StopAsync(cancellationToken);
        if (_reference is null)
            return;
        try
        {
            // Leaving now spares listings a call to a node that is going away.
            await Directory.UnregisterAsync(_node).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception ex)
        {
            LogUnregisterFailed(logger, _node, ex);
        }
        grains.DeleteObjectReference<IMercureNodeSubscriptions>(_reference);
    }

    private Task RenewAsync()
    {
        // Made on first use, not at start: an API node's cluster client can make it only once connected.
        // Orleans holds the observer weakly; `node` is a singleton, so it lives as long as the process.
        _reference ??= grains.CreateObjectReference<IMercureNodeSubscriptions>(node);
        return Directory.RegisterAsync(_node, _reference, _lease);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not renew its Mercure subscription lease; listings may miss its subscriptions until it does")]
    private static partial void LogRenewFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} could not leave the Mercure subscription directory; its lease will end on its own")]
    private static partial void LogUnregisterFailed(ILogger logger, string node, Exception exception);
}
