using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>The contract of <see cref="IEventLog.AppendIdempotentAsync"/>, for every implementation.</summary>
public abstract partial class EventLogContractTests
{
    private static readonly IdempotencyWindow TenMinutes = new(TimeSpan.FromMinutes(10), 100);

    private Task<IdempotentAppend> AppendKeyedAsync(IEventLog log, string topic, string epoch, long expectedHead, IdempotencyWindow window, params (string? Key, string Data)[] publishes) =>
        log.AppendIdempotentAsync(
            topic, epoch, expectedHead,
            publishes.Select(p => new EventDraft("status", p.Data)).ToArray(),
            publishes.Select(p => new AppendClaim(1, p.Key, p.Key is null ? null : $"fp-{p.Data}")).ToArray(),
            window, Clock.GetUtcNow()).WaitAsync(Timeout);

    [Fact]
    public async Task AppendIdempotent_ARetriedKey_StoresNothing_AndAnswersTheOriginalRecord()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        var first = await AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k1", "a"), (null, "b"));
        Assert.Equal([1L, 2], first.Events.Select(e => e.Sequence));
        Assert.Equal([null, null], first.Replays);

        Clock.Advance(TimeSpan.FromMinutes(9));
        var retry = await AppendKeyedAsync(log, topic, info.Epoch, 2, TenMinutes, ("k1", "a"), ("k2", "c"));

        // The retry stored nothing; the new key's event took the next sequence, with no hole.
        Assert.Equal(new IdempotencyRecord("fp-a", info.Epoch, 1, 1), retry.Replays[0]);
        Assert.Null(retry.Replays[1]);
        Assert.Equal([(3L, "c")], retry.Events.Select(e => (e.Sequence, e.Data)));
        var page = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        Assert.Equal(["a", "b", "c"], page.Events.Select(e => e.Data));
        Assert.Equal(3, page.Info.Head);
    }

    [Fact]
    public async Task AppendIdempotent_OnlyRetries_StoresNoEventAndKeepsTheHead()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k", "a"));

        var retry = await AppendKeyedAsync(log, topic, info.Epoch, 1, TenMinutes, ("k", "a"), ("k", "a"));

        Assert.Empty(retry.Events);
        Assert.All(retry.Replays, r => Assert.Equal(new IdempotencyRecord("fp-a", info.Epoch, 1, 1), r));
        Assert.Equal(1, (await log.GetInfoAsync(topic).WaitAsync(Timeout)).Head);
    }

    [Fact]
    public async Task AppendIdempotent_TheSameKeyTwiceInOneAppend_StoresItOnce()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);

        var appended = await AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k", "a"), ("k", "a"));

        Assert.Equal([1L], appended.Events.Select(e => e.Sequence));
        Assert.Null(appended.Replays[0]);
        Assert.Equal(new IdempotencyRecord("fp-a", info.Epoch, 1, 1), appended.Replays[1]);
    }

    [Fact]
    public async Task AppendIdempotent_AClaimOfSeveralEvents_IsRecordedAsOneRange()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "before");
        EventDraft[] batch = [new("status", "x"), new("status", "y"), new("status", "z")];

        var first = await log.AppendIdempotentAsync(topic, info.Epoch, 1, batch, [new AppendClaim(3, "batch", "fp")], TenMinutes, Clock.GetUtcNow()).WaitAsync(Timeout);
        var retry = await log.AppendIdempotentAsync(topic, info.Epoch, 4, batch, [new AppendClaim(3, "batch", "fp")], TenMinutes, Clock.GetUtcNow()).WaitAsync(Timeout);

        Assert.Equal([2L, 3, 4], first.Events.Select(e => e.Sequence));
        Assert.Empty(retry.Events);
        Assert.Equal(new IdempotencyRecord("fp", info.Epoch, 2, 3), retry.Replays[0]);
    }

    [Fact]
    public async Task AppendIdempotent_AKeyOlderThanTheWindow_IsForgotten_AndStoresAgain()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k", "a"));

        Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await AppendKeyedAsync(log, topic, info.Epoch, 1, TenMinutes, ("k", "a"));

        Assert.Null(late.Replays[0]);
        Assert.Equal([2L], late.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task AppendIdempotent_BeyondTheKeyCount_TheOldestKeysAreForgotten()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        var window = new IdempotencyWindow(TimeSpan.FromMinutes(10), 3);
        for (var i = 1; i <= 5; i++)
        {
            await AppendKeyedAsync(log, topic, info.Epoch, i - 1, window, ($"k{i}", $"{i}"));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var retries = await AppendKeyedAsync(log, topic, info.Epoch, 5, window, ("k2", "2"), ("k3", "3"), ("k5", "5"));

        // k1 and k2 fell out (only 3 are kept): k2 is stored again; k3 and k5 are still known.
        Assert.Null(retries.Replays[0]);
        Assert.Equal(3, retries.Replays[1]!.FirstSequence);
        Assert.Equal(5, retries.Replays[2]!.FirstSequence);
        Assert.Equal([(6L, "2")], retries.Events.Select(e => (e.Sequence, e.Data)));
    }

    [Fact]
    public async Task AppendIdempotent_WithAStaleHead_ThrowsConflictAndRecordsNoKey()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a");

        await Assert.ThrowsAsync<SequenceConflictException>(() => AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k", "lost")));
        var retry = await AppendKeyedAsync(log, topic, info.Epoch, 1, TenMinutes, ("k", "lost"));

        Assert.Null(retry.Replays[0]);
        Assert.Equal([2L], retry.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task AppendIdempotent_AfterANewEpoch_KeysOfTheLostEpochAreForgotten()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendKeyedAsync(log, topic, info.Epoch, 0, TenMinutes, ("k", "a"));

        // The event is gone with its epoch, so its retry must store it again rather than point at nothing.
        var renewed = await log.RenewEpochAsync(topic, info.Epoch).WaitAsync(Timeout);
        var retry = await AppendKeyedAsync(log, topic, renewed.Epoch, 0, TenMinutes, ("k", "a"));

        Assert.Null(retry.Replays[0]);
        Assert.Equal([(renewed.Epoch, 1L)], retry.Events.Select(e => (e.Epoch, e.Sequence)));
    }
}
