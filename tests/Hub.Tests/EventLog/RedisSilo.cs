using System.Globalization;
using Hub.Grains.Hosting;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.EventLog;

/// <summary>A silo in the test process wired as Hub.Silo wires one for Redis (<c>AddHubSilo</c>), configured through <c>Hub:*</c> keys.</summary>
public sealed class RedisSilo : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;

    private RedisSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <summary>Starts a silo of cluster <paramref name="clusterId"/> on <paramref name="redis"/>; <paramref name="settings"/> go on top.</summary>
    public static async Task<RedisSilo> StartAsync(RedisServer redis, string serviceId, string clusterId, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Redis:ConnectionString"] = redis.ConnectionString,
            ["Hub:Cluster:ServiceId"] = serviceId,
            ["Hub:Cluster:ClusterId"] = clusterId,
            ["Hub:Cluster:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub:Cluster:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration, builder.Environment));
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Timeout);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new RedisSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(Timeout))
            await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}
