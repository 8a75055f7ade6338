using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>The keyed state beside the log (<see cref="IEventLog.ReadStateAsync"/>), for every implementation.</summary>
public abstract partial class EventLogContractTests
{
    private Task<IReadOnlyList<TopicEvent>> AppendWithKeysAsync(IEventLog log, string topic, string epoch, long expectedHead, params (string? Key, string Data)[] events) =>
        log.AppendAsync(topic, epoch, expectedHead, events.Select(e => new EventDraft("status", e.Data, e.Key)).ToArray(), Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);

    [Fact]
    public async Task State_HoldsTheLatestEventPerKey_OldestFirst_WithTheHeadItWasReadAt()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        var appended = await AppendWithKeysAsync(log, topic, info.Epoch, 0, ("db", "db up"), ("api", "api up"), (null, "news"), ("db", "db down"), ("web", "web up data with spaces"));
        Assert.Equal("db", appended[3].Key);

        var state = await log.ReadStateAsync(topic).WaitAsync(Timeout);
        Assert.Equal(5, state.Info.Head);
        Assert.Equal([("api", 2L, "api up"), ("db", 4, "db down"), ("web", 5, "web up data with spaces")],
            state.Events.Select(e => (e.Key!, e.Sequence, e.Data)));
        Assert.All(state.Events, e => Assert.Equal(info.Epoch, e.Epoch));
        Assert.All(state.Events, e => Assert.Equal("status", e.Type));

        // Reads of the log carry the keys too.
        var page = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        Assert.Equal(["db", "api", null, "db", "web"], page.Events.Select(e => e.Key));
    }

    [Fact]
    public async Task State_OutlivesRetention()
    {
        var log = CreateLog(maxEvents: 2);
        var (topic, info) = await NewTopicAsync(log);
        await AppendWithKeysAsync(log, topic, info.Epoch, 0, ("a", "a1"), ("b", "b1"));
        await AppendWithKeysAsync(log, topic, info.Epoch, 2, (null, "x"), (null, "y"), (null, "z"));

        var state = await log.ReadStateAsync(topic).WaitAsync(Timeout);
        Assert.Equal(4, state.Info.Oldest);
        Assert.Equal(["a1", "b1"], state.Events.Select(e => e.Data));
    }

    [Fact]
    public async Task State_BeyondMaxKeys_ForgetsTheKeyWhoseLatestEventIsOldest()
    {
        var log = CreateLog(maxKeys: 2);
        var (topic, info) = await NewTopicAsync(log);
        await AppendWithKeysAsync(log, topic, info.Epoch, 0, ("a", "a1"), ("b", "b1"), ("a", "a2"));
        // "b" is now the key with the oldest latest event: a third key pushes it out, not "a".
        await AppendWithKeysAsync(log, topic, info.Epoch, 3, ("c", "c1"));

        var state = await log.ReadStateAsync(topic).WaitAsync(Timeout);
        Assert.Equal(["a2", "c1"], state.Events.Select(e => e.Data));
    }

    [Fact]
    public async Task State_IsUpdatedByIdempotentAppends_AndForgottenWithTheEpoch()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await log.AppendIdempotentAsync(topic, info.Epoch, 0, [new EventDraft("status", "up", "svc")], [new AppendClaim(1, "idem-1", "fp")],
            new IdempotencyWindow(TimeSpan.FromMinutes(10), 100), Clock.GetUtcNow()).WaitAsync(Timeout);
        Assert.Equal(["svc"], (await log.ReadStateAsync(topic).WaitAsync(Timeout)).Events.Select(e => e.Key));

        var renewed = await log.RenewEpochAsync(topic, info.Epoch).WaitAsync(Timeout);
        var state = await log.ReadStateAsync(topic).WaitAsync(Timeout);
        Assert.NotEqual(info.Epoch, renewed.Epoch);
        Assert.Empty(state.Events);
    }

    [Fact]
    public async Task State_OfATopicWithoutKeys_IsEmpty()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a", "b");
        var state = await log.ReadStateAsync(topic).WaitAsync(Timeout);
        Assert.Equal(2, state.Info.Head);
        Assert.Empty(state.Events);
    }
}
