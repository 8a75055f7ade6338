using Hub.Grains.EventLog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Hub.Grains.Hosting;

/// <summary>The hub's own use of Redis: one shared connection, the event log on it, and a readiness check.</summary>
public static class RedisHosting
{
    /// <summary>
    /// Registers the one <see cref="IConnectionMultiplexer"/> of this process (Orleans' Redis providers keep
    /// their own). It connects on first use and does not abort when Redis is down at start: it keeps
    /// retrying in the background, calls fail fast meanwhile, and readiness reports Redis unreachable.
    /// </summary>
    public static IServiceCollection AddHubRedisConnection(this IServiceCollection services, RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(redis);
        if (!redis.Enabled)
            throw new InvalidOperationException($"{RedisOptions.Section}:ConnectionString is not set.");
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "hub";
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
        return services;
    }

    /// <summary>Registers <see cref="RedisEventLog"/> as the <see cref="IEventLog"/>, on the shared connection.</summary>
    public static IServiceCollection AddRedisEventLog(this IServiceCollection services, RedisOptions redis, HubClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        services.AddHubRedisConnection(redis);
        var prefix = redis.KeyPrefixFor(cluster.ServiceId);
        services.TryAddSingleton<IEventLog>(sp => ActivatorUtilities.CreateInstance<RedisEventLog>(sp, prefix));
        return services;
    }

    /// <summary>Adds <see cref="RedisHealthCheck"/> with <paramref name="tags"/> when Redis is configured; otherwise nothing.</summary>
    public static IHealthChecksBuilder AddHubRedisCheck(this IHealthChecksBuilder checks, RedisOptions redis, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(redis);
        return redis.Enabled ? checks.AddCheck<RedisHealthCheck>("redis", tags: tags) : checks;
    }
}
