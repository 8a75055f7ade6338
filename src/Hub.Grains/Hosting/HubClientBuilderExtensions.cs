using Hub.Grains.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Hub.Grains.Hosting;

/// <summary>How an API node joins a Redis-backed cluster as an Orleans client.</summary>
public static class HubClientBuilderExtensions
{
    public static IClientBuilder AddHubClient(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(configuration);
        var cluster = configuration.ReadHubOptions<HubClusterOptions>(HubClusterOptions.Section);
        var streams = configuration.ReadHubOptions<HubStreamOptions>(HubStreamOptions.Section);
        var redis = configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section);
        if (!redis.Enabled)
            throw new InvalidOperationException($"An Orleans client needs {RedisOptions.Section}:ConnectionString to find the cluster.");

        client.UseRedisClustering(redis.ConnectionString!);
        // The node does not read the event log itself, but its readiness follows Redis (RedisHealthCheck).
        client.Services.AddHubRedisConnection(redis);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        // Find new and vanished silos quickly rather than once a minute.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        client.AddMemoryStreams(HubStreams.Provider, s => s.ConfigurePartitioning(streams.QueueCount));
        // Silos may start later or join slowly (a fresh deployment): wait for them, however long, until stopped.
        client.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>();
        return client;
    }
}
