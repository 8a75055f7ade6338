using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>
/// A topic's life ends once its events have all aged out and no idempotency record is within its window:
/// the log forgets it, and it comes back in a new epoch from sequence 1. Redis drops the keys by its own
/// clock (PEXPIRE, real time, at least a second); the in-memory log on a sweep by the test's clock. Both
/// are waited for, never slept on.
/// </summary>
public abstract partial class EventLogContractTests
{
    /// <summary>Reads the topic until the log has forgotten it (head 0, an epoch it has not had), and answers that.</summary>
    private static async Task<TopicInfo> ForgottenAsync(IEventLog log, string topic, string pastEpoch, TimeSpan? timeout = null)
    {
        TopicInfo info = null!;
        await Eventually.TrueAsync(
            async () => (info = await log.GetInfoAsync(topic).WaitAsync(Timeout)).Head == 0 && info.Epoch != pastEpoch,
            $"the log forgot topic {topic}", timeout);
        return info;
    }

    [Fact]
    public async Task EndOfLife_WhenEveryEventHasAgedOut_TheTopicIsForgotten_AndComesBackInANewEpochFromOne()
    {
        var log = CreateLog(maxAge: TimeSpan.FromSeconds(1));
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, Numbered(1, 7));

        Clock.Advance(TimeSpan.FromMinutes(2));
        var forgotten = await ForgottenAsync(log, topic, info.Epoch);

        Assert.Equal(new TopicInfo(topic, forgotten.Epoch, 0, 1), forgotten);
        Assert.Empty((await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events);
        Assert.Empty((await log.ReadStateAsync(topic).WaitAsync(Timeout)).Events);
        // A writer of the old life is refused: sequence 8 would continue a history the log no longer has.
        await Assert.ThrowsAsync<SequenceConflictException>(() => AppendAsync(log, topic, info.Epoch, 7, "8"));

        var reborn = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        var next = await AppendAsync(log, topic, reborn.Epoch, 0, "new life");

        // Sequences restart at 1 in an epoch the old life never had, so a cursor of the old life (7 in its
        // epoch) is answered with a reset, never taken as "1 is before 7, delivered already".
        Assert.Equal((reborn.Epoch, 1L), (Assert.Single(next).Epoch, next[0].Sequence));
        Assert.NotEqual(info.Epoch, reborn.Epoch);
        var afterOldCursor = await log.ReadAfterAsync(topic, 7, 10).WaitAsync(Timeout);
        Assert.NotEqual(info.Epoch, afterOldCursor.Info.Epoch);
        Assert.Equal(["new life"], (await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events.Select(e => e.Data));
    }

    [Fact]
    public async Task EndOfLife_AnIdempotencyRecordWithinItsWindow_KeepsTheTopic_UntilTheWindowEnds()
    {
        var log = CreateLog(maxAge: TimeSpan.FromSeconds(1));
        var window = new IdempotencyWindow(TimeSpan.FromSeconds(5), 100);
        var (topic, info) = await NewTopicAsync(log);
        await AppendKeyedAsync(log, topic, info.Epoch, 0, window, ("k", "a"));

        // The event has aged out, its record has not: a retry finds it, in the life it was made in.
        Clock.Advance(TimeSpan.FromSeconds(3));
        var retry = await AppendKeyedAsync(log, topic, info.Epoch, 1, window, ("k", "a"));
        Assert.Empty(retry.Events);
        Assert.Equal(new IdempotencyRecord("fp-a", info.Epoch, 1, 1), retry.Replays[0]);
        var kept = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        Assert.Equal((info.Epoch, 1L, 2L), (kept.Epoch, kept.Head, kept.Oldest));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var forgotten = await ForgottenAsync(log, topic, info.Epoch, TimeSpan.FromSeconds(30));
        Assert.Equal(0, forgotten.Head);
    }
}
