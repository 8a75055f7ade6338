using Hub.Grains.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Hub.Api.Health;

/// <summary>
/// <c>/health/live</c> answers while the process runs; <c>/health/ready</c> only while the node can do
/// its job (the cluster reachable, and Redis when configured), so a load balancer routes around it.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddHubHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var redis = configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section);
        services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>("orleans-cluster", tags: [ReadyTag])
            .AddCheck<DrainHealthCheck>("not-draining", tags: [ReadyTag])
            .AddHubRedisCheck(redis, ReadyTag);
        return services;
    }

    public static IEndpointRouteBuilder MapHubHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return app;
    }
}
