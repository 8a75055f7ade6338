using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>A silo configured with <c>Hub:Redis:ConnectionString</c> keeps its topics' events in Redis, under the service's prefix.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSiloWiringTests(RedisServer redis)
{
    private static readonly TimeSpan Timeout = RedisSilo.Timeout;

    [Fact]
    public async Task SiloWithRedis_StoresPublishedEventsInRedis_AndRenewsTheEpochAfterDataLoss()
    {
        var serviceId = $"wiring{Guid.NewGuid():N}"[..16];
        await using var silo = await RedisSilo.StartAsync(redis, serviceId, serviceId);
        Assert.IsType<RedisEventLog>(silo.Services.GetRequiredService<IEventLog>());
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ITopicGrain>("news");

        var first = await grain.PublishAsync(new EventDraft("status", "one")).AsTask().WaitAsync(Timeout);
        await grain.PublishBatchAsync([new EventDraft("status", "two"), new EventDraft("status", "three")]).AsTask().WaitAsync(Timeout);

        var prefix = RedisKeys.DefaultPrefix(serviceId);
        Assert.Equal(":3", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout));

        // The topic's log is lost (only it: a FLUSHALL would take Orleans' membership table too), as
        // when its keys expire: the grain's next append is refused, as its epoch is gone, which stores
        // nothing; it rereads and tries once more, so the publish starts the topic's new life at 1.
        await redis.CommandAsync($"DEL {RedisKeys.TopicMeta(prefix, "news")} {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout);
        var renewed = await grain.PublishAsync(new EventDraft("status", "four")).AsTask().WaitAsync(Timeout);

        Assert.Equal(1, renewed.Sequence);
        Assert.NotEqual(first.Epoch, renewed.Epoch);
        Assert.Equal(":1", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefix, "news")}").WaitAsync(Timeout));
    }

    [Fact]
    public async Task TwoHubsWithDifferentKeyPrefixes_OnOneRedis_KeepTheirTopicsApart_UnderTheirPrefixes()
    {
        // The same ServiceId on both (two clusters, so two hubs): only Hub:Redis:KeyPrefix keeps their logs
        // apart, since without it both would write under the default hub:{ServiceId}:.
        var serviceId = $"prefix{Guid.NewGuid():N}"[..16];
        var (prefixA, prefixB) = ($"{serviceId}-a:", $"{serviceId}-b:");
        await using var a = await RedisSilo.StartAsync(redis, serviceId, $"{serviceId}-a", new Dictionary<string, string?> { ["Hub:Redis:KeyPrefix"] = prefixA });
        await using var b = await RedisSilo.StartAsync(redis, serviceId, $"{serviceId}-b", new Dictionary<string, string?> { ["Hub:Redis:KeyPrefix"] = prefixB });
        var onA = a.Services.GetRequiredService<IGrainFactory>().GetGrain<ITopicGrain>("news");
        var onB = b.Services.GetRequiredService<IGrainFactory>().GetGrain<ITopicGrain>("news");

        await onA.PublishBatchAsync([new EventDraft("status", "one"), new EventDraft("status", "two")]).AsTask().WaitAsync(Timeout);

        Assert.Equal(0, (await onB.GetInfoAsync().WaitAsync(Timeout)).Head);
        Assert.Equal(1, (await onB.PublishAsync(new EventDraft("status", "b's own")).AsTask().WaitAsync(Timeout)).Sequence);
        Assert.Equal(2, (await onA.GetInfoAsync().WaitAsync(Timeout)).Head);
        // Each hub's keys are under its own prefix, and nothing under the default one.
        Assert.Equal(":2", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefixA, "news")}").WaitAsync(Timeout));
        Assert.Equal(":1", await redis.CommandAsync($"XLEN {RedisKeys.TopicEvents(prefixB, "news")}").WaitAsync(Timeout));
        Assert.Equal("*2", await redis.CommandAsync($"KEYS {prefixA}*").WaitAsync(Timeout)); // meta and events
        Assert.Equal("*0", await redis.CommandAsync($"KEYS {RedisKeys.DefaultPrefix(serviceId)}*").WaitAsync(Timeout));
    }
}
