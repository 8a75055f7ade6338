using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Hub.Grains.Hosting;

/// <summary>
/// Ready only while Redis answers a PING. Silos keep the event log, membership and pub-sub state there;
/// API nodes find the cluster through it; either way a node without Redis cannot do its job.
/// </summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Disconnected, a PING would wait in the reconnect backlog until its timeout: answer at once instead.
        if (!redis.IsConnected)
            return HealthCheckResult.Unhealthy("Not connected to Redis.");
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"Redis answered PING in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer PING.", ex);
        }
    }
}
