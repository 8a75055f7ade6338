using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>The contract against a real redis-server, plus what only a log outside the process can suffer: losing its data.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisEventLogTests(RedisServer redis) : EventLogContractTests, IAsyncLifetime
{
    private const string Prefix = "hub:contract:";
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    protected override IEventLog CreateLog(RetentionOptions retention, int maxKeys = 10_000) =>
        new RedisEventLog(_connection, Prefix, Options.Create(retention), Clock, NullLogger<RedisEventLog>.Instance, Options.Create(new TopicStateOptions { MaxKeys = maxKeys }));

    private RedisEventLog CreateLog(string prefix) =>
        new(_connection, prefix, Options.Create(Retention(1_000, null)), Clock, NullLogger<RedisEventLog>.Instance);

    [Fact]
    public async Task AfterRedisLostItsData_TheTopicStartsANewEpochAtHeadZero()
    {
        var log = CreateLog();
        var (topic, before) = await NewTopicAsync(log);
        await AppendAsync(log, topic, before.Epoch, 0, "a", "b");

        await redis.FlushAllAsync().WaitAsync(Timeout);
        var after = await log.GetInfoAsync(topic).WaitAsync(Timeout);

        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.Equal(new TopicInfo(topic, after.Epoch, 0, 1), after);
        Assert.Empty((await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events);
    }

    [Fact]
    public async Task AfterRedisLostItsData_AWriterOfTheOldEpochIsRefused()
    {
        var log = CreateLog();
        var (topic, before) = await NewTopicAsync(log);
        await AppendAsync(log, topic, before.Epoch, 0, "a");

        await redis.FlushAllAsync().WaitAsync(Timeout);

        // The grain still holds epoch/head 1: its append must not write sequence 2 into a log that has no 1.
        await Assert.ThrowsAsync<SequenceConflictException>(() =>
            AppendAsync(log, topic, before.Epoch, 1, "b"));
        var after = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        Assert.Empty(after.Events);
        Assert.NotEqual(before.Epoch, after.Info.Epoch);
        Assert.Equal(0, after.Info.Head);
    }

    [Fact]
    public async Task AMetaKeyLostAlone_DropsTheOrphanedEventsAndStartsANewEpoch()
    {
        var log = CreateLog();
        var (topic, before) = await NewTopicAsync(log);
        await AppendAsync(log, topic, before.Epoch, 0, "a");

        Assert.Equal(":1", await redis.CommandAsync($"DEL {RedisKeys.TopicMeta(Prefix, topic)}").WaitAsync(Timeout));
        var info = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        var appended = await AppendAsync(log, topic, info.Epoch, 0, "new life");

        Assert.NotEqual(before.Epoch, info.Epoch);
        Assert.Equal(1, Assert.Single(appended).Sequence);
        Assert.Equal(["new life"], (await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events.Select(e => e.Data));
    }

    [Fact]
    public async Task Append_LetsTheTopicsKeysExpireOnceItsNewestEventHasAgedOut()
    {
        var log = CreateLog(maxAge: TimeSpan.FromMinutes(10));
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a");
        Clock.Advance(TimeSpan.FromMinutes(4));
        await AppendAsync(log, topic, info.Epoch, 1, "b");

        // Each append moves the expiry to the retention age from its own event: a topic nobody publishes to
        // leaves nothing behind, one in use never loses its head.
        foreach (var key in new[] { RedisKeys.TopicMeta(Prefix, topic), RedisKeys.TopicEvents(Prefix, topic) })
        {
            var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(key).WaitAsync(Timeout);
            Assert.NotNull(ttl);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        }
    }

    [Fact]
    public async Task Keys_CarryThePrefixAndTheTopicAsHashTag()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a");

        Assert.Equal($"{Prefix}log:{{{topic}}}:meta", RedisKeys.TopicMeta(Prefix, topic));
        Assert.Equal("+hash", await redis.CommandAsync($"TYPE {RedisKeys.TopicMeta(Prefix, topic)}").WaitAsync(Timeout));
        Assert.Equal("+stream", await redis.CommandAsync($"TYPE {RedisKeys.TopicEvents(Prefix, topic)}").WaitAsync(Timeout));
        // On Redis Cluster a script may only touch keys of one slot: both keys hash by the topic alone.
        Assert.Equal(_connection.HashSlot(topic), _connection.HashSlot(RedisKeys.TopicMeta(Prefix, topic)));
        Assert.Equal(_connection.HashSlot(topic), _connection.HashSlot(RedisKeys.TopicEvents(Prefix, topic)));
    }

    [Fact]
    public async Task AWriterWithAClockBehind_StampsNoEarlierThanTheNewestEvent_SoAgeRetentionStaysInOrder()
    {
        var log = CreateLog(maxAge: TimeSpan.FromMinutes(1));
        var (topic, info) = await NewTopicAsync(log);
        var now = Clock.GetUtcNow();
        await AppendAsync(log, topic, info.Epoch, 0, "on time");

        // A new activation on a silo whose clock is 30 s behind.
        var behind = await log.AppendAsync(topic, info.Epoch, 1, [new EventDraft("status", "late clock")], now - TimeSpan.FromSeconds(30)).AsTask().WaitAsync(Timeout);

        Assert.Equal(now, Assert.Single(behind).Time);
        Assert.Equal(behind, (await log.ReadAfterAsync(topic, 1, 10).WaitAsync(Timeout)).Events);
    }

    [Fact]
    public async Task TwoHubsWithDifferentPrefixes_DoNotSeeEachOthersTopics()
    {
        var one = CreateLog("hub:one:");
        var two = CreateLog("hub:two:");
        var topic = NewTopic();
        var infoOne = await one.GetInfoAsync(topic).WaitAsync(Timeout);
        await AppendAsync(one, topic, infoOne.Epoch, 0, "a");

        var infoTwo = await two.GetInfoAsync(topic).WaitAsync(Timeout);

        Assert.Equal(0, infoTwo.Head);
        Assert.NotEqual(infoOne.Epoch, infoTwo.Epoch);
    }

    [Fact]
    public async Task UnreachableRedis_FailsWithEventLogUnavailable()
    {
        await using var dead = await RedisServer.ConnectUnreachableAsync();
        var log = new RedisEventLog(dead, Prefix, Options.Create(Retention(10, null)), Clock, NullLogger<RedisEventLog>.Instance);

        var error = await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.GetInfoAsync(NewTopic()).WaitAsync(Timeout));
        Assert.NotNull(error.InnerException);
    }
}
