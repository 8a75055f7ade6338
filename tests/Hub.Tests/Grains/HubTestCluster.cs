using Hub.Grains.Contracts;
using Hub.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Xunit;

namespace Hub.Tests.Grains;

/// <summary>
/// Two in-process silos with the hub's grain services (memory streams, in-memory log) and a client
/// that can subscribe to topic streams like an API node does. Retention is small so tests reach it.
/// </summary>
public sealed class HubTestCluster : IAsyncLifetime
{
    public const int RetainedEvents = 20;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Hub:Retention:MaxEventsPerTopic"] = RetainedEvents.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddHubGrainServices(configuration);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(HubStreams.Provider, s => s.ConfigurePartitioning(8)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HubTestClusterCollection : ICollectionFixture<HubTestCluster>
{
    public const string Name = "Orleans test cluster";
}
