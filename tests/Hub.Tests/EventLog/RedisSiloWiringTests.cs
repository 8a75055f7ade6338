using System.Globalization;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Grains.Hosting;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>A silo configured with <c>Hub:Redis:ConnectionString</c> keeps its topics' events in Redis, under the service's prefix.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSiloWiringTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SiloWithRedis_StoresPublishedEventsInRedis_AndRenewsTheEpochAfterDataLoss()
    {
        var serviceId = $"wiring{Guid.NewGuid():N}"[..16];
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Redis:ConnectionString"] = redis.ConnectionString,
            ["Hub:Cluster:ServiceId"] = serviceId,
            ["Hub:Cluster:ClusterId"] = serviceId,
            ["Hub:Cluster:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub:Cluster:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.AddHubSilo(builder.Configuration));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        try
        {
            Assert.IsType<RedisEventLog>(host.Services.GetRequiredService<IEventLog>());
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITopicGrain>("news");

            var first = await grain.PublishAsync(new EventDraft("status", "one")).WaitAsync(Timeout);
            await grain.PublishBatchAsync([new EventDraft("status", "two"), new EventDraft("status", "three")]).WaitAsync(Timeout);

            var prefix = RedisKeys.DefaultPrefix(serviceId);
            Assert.Equal(":3", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout));

            // The topic's log is lost (only it: a FLUSHALL would take Orleans' membership table too), as
            // when its keys expire: the grain's next append is refused, as its epoch is gone, which stores
            // nothing; it rereads and tries once more, so the publish starts the topic's new life at 1.
            await redis.CommandAsync($"DEL {RedisKeys.TopicMeta(prefix, "news")} {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout);
            var renewed = await grain.PublishAsync(new EventDraft("status", "four")).WaitAsync(Timeout);

            Assert.Equal(1, renewed.Sequence);
            Assert.NotEqual(first.Epoch, renewed.Epoch);
            Assert.Equal(":1", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout));
        }
        finally
        {
            using var stop = new CancellationTokenSource(Timeout);
            await host.StopAsync(stop.Token);
        }
    }
}
