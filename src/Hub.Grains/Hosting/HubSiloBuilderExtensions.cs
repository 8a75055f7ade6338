using System.Net;
using Hub.Grains.Contracts;
using Hub.Grains.Diagnostics;
using Hub.Grains.EventLog;
using Hub.Grains.Publishing;
using Hub.Grains.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Streams;
using StackExchange.Redis;

namespace Hub.Grains.Hosting;

/// <summary>
/// The one place a silo is wired: used by the Hub.Silo process and by an API node that hosts the
/// embedded silo, so both run the same grains with the same providers.
/// </summary>
public static class HubSiloBuilderExtensions
{
    public static ISiloBuilder AddHubSilo(this ISiloBuilder silo, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var cluster = configuration.ReadHubOptions<HubClusterOptions>(HubClusterOptions.Section);
        var redis = configuration.ReadHubOptions<RedisOptions>(RedisOptions.Section);

        if (redis.Enabled)
        {
            silo.UseRedisClustering(redis.ConnectionString!);
            var advertised = cluster.AdvertisedIP is { Length: > 0 } ip ? IPAddress.Parse(ip) : IPAddress.Loopback;
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.AdvertisedIP is { Length: > 0 });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // Stream subscriptions must survive a silo's death, or API nodes go silent (field notes).
            silo.AddRedisGrainStorage("PubSubStore", o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.ConnectionString!));
            silo.Configure<ClusterMembershipOptions>(o => cluster.ApplyTo(o));
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            silo.Services.AddRedisEventLog(redis, cluster);
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }

        // The dashboard times every grain call (a grain-call filter) and keeps figures per grain and per
        // second: worth paying for only where someone can look at it (without it the idle node holds 49 MiB
        // and ~1.3 KiB per connection less, docs/performance.md "Sixth pass").
        if (AdminSurfaces.DashboardRuns(configuration, environment))
            silo.AddDashboard();

        // A localhost cluster is this one silo, with the API node in its process: its streams stay in it.
        return silo.AddHubGrainServices(configuration, singleSilo: !redis.Enabled);
    }

    /// <summary>
    /// What every silo runs whatever its clustering: the topic stream provider, the default event log
    /// and the grains' options. Test clusters, which bring their own clustering, call this alone.
    /// </summary>
    public static ISiloBuilder AddHubGrainServices(this ISiloBuilder silo, IConfiguration configuration, bool singleSilo = false)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var streams = configuration.ReadHubOptions<HubStreamOptions>(HubStreamOptions.Section);
        if (singleSilo)
        {
            silo.Services.AddKeyedSingleton<IStreamProvider>(HubStreams.Provider, static (services, _) =>
                new LocalStreamProvider(HubStreams.Provider, services.GetRequiredService<ILogger<LocalStreamProvider>>()));
        }
        else
        {
            silo.AddMemoryStreams(HubStreams.Provider, s =>
            {
                s.ConfigurePartitioning(streams.QueueCount);
                s.ConfigurePullingAgent(ob => ob.Configure(o => streams.ApplyTo(o)));
            });
        }

        silo.Services.TryAddSingleton<IEventLog, InMemoryEventLog>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<GrainMetrics>();
        silo.Services.AddHubOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        silo.Services.AddHubOptions<TopicStateOptions>(configuration, TopicStateOptions.Section);
        silo.Services.AddHubOptions<PublishOptions>(configuration, PublishOptions.Section);
        return silo;
    }
}
