using Hub.Api.Subscriptions;
using Hub.Grains.Hosting;

namespace Hub.Api.Hosting;

/// <summary>
/// Chooses the API node's Orleans role. With no cluster configured it hosts the embedded silo
/// in-process (the same wiring as Hub.Silo), so one command gives a working hub; with
/// <c>Hub:Redis:ConnectionString</c> set it is a client of that cluster.
/// </summary>
public static class ClusterHosting
{
    public const string RedisConnectionStringKey = "Hub:Redis:ConnectionString";

    /// <summary>True when no cluster is configured, so this node runs the embedded silo itself.</summary>
    public static bool HostsEmbeddedSilo(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration[RedisConnectionStringKey]);

    public static WebApplicationBuilder AddHubCluster(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (HostsEmbeddedSilo(configuration))
        {
            builder.UseOrleans(silo => silo.AddHubSilo(configuration, builder.Environment));
            return builder;
        }

        builder.UseOrleansClient(client =>
        {
            client.AddHubClient(configuration);
            // A node that lost its gateways may have lost its stream subscriptions with them: re-check at once.
            client.AddGatewayCountChangedHandler(sp => (_, _) => sp.GetRequiredService<FeedWatchdog>().CheckSoon());
        });
        return builder;
    }
}
