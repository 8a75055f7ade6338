using Hub.Api.Subscriptions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hub.Api.Health;

/// <summary>A draining node is not ready, so load balancers send new clients elsewhere.</summary>
public sealed class DrainHealthCheck(ConnectionDrainer drainer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drainer.IsDraining ? HealthCheckResult.Unhealthy("The node is draining.") : HealthCheckResult.Healthy());
}
