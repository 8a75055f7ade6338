using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hub.Tests.EventLog;

/// <summary>
/// What every <see cref="IEventLog"/> must do, run unchanged against each implementation (a subclass
/// supplies the log). Each test uses topics of its own, so implementations backed by a shared store
/// need no cleaning between tests.
/// </summary>
public abstract partial class EventLogContractTests
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The clock retention reads; tests move it by hand. Starts on a whole second.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A log with the given retention that reads <see cref="Clock"/>.</summary>
    protected IEventLog CreateLog(int maxEvents = 1_000, TimeSpan? maxAge = null, int maxKeys = 10_000) => CreateLog(Retention(maxEvents, maxAge), maxKeys);

    /// <summary>A log with <paramref name="retention"/> and at most <paramref name="maxKeys"/> keys of state per topic that reads <see cref="Clock"/>.</summary>
    protected abstract IEventLog CreateLog(RetentionOptions retention, int maxKeys = 10_000);

    protected static string NewTopic() => $"contract.{Guid.NewGuid():N}";

    /// <summary>A fresh topic of <paramref name="log"/> and its state before any append.</summary>
    protected static async Task<(string Topic, TopicInfo Info)> NewTopicAsync(IEventLog log)
    {
        var topic = NewTopic();
        return (topic, await log.GetInfoAsync(topic).WaitAsync(Timeout));
    }

    /// <summary>Appends one <c>status</c> event per data string, stamped now, in one call.</summary>
    protected Task<IReadOnlyList<TopicEvent>> AppendAsync(IEventLog log, string topic, string epoch, long expectedHead, params string[] data) =>
        log.AppendAsync(topic, epoch, expectedHead, data.Select(d => new EventDraft("status", d)).ToArray(), Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);

    /// <summary>
    /// Appends events 1..<paramref name="count"/> one by one, moving the clock one second after each:
    /// event i is stamped t0 + (i - 1) s, and the clock ends at t0 + count s. Returns t0.
    /// </summary>
    protected async Task<DateTimeOffset> AppendOneEverySecondAsync(IEventLog log, string topic, string epoch, int count)
    {
        var t0 = Clock.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            await AppendAsync(log, topic, epoch, i, $"{i + 1}");
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        return t0;
    }

    /// <summary>"first", "first + 1", … as data, so a test can tell which event is which.</summary>
    protected static string[] Numbered(int first, int count) =>
        Enumerable.Range(first, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    protected static RetentionOptions Retention(int maxEvents, TimeSpan? maxAge) =>
        new() { MaxEventsPerTopic = maxEvents, MaxAge = maxAge ?? TimeSpan.FromDays(1) };

    [Fact]
    public async Task RenewEpoch_DropsWhatIsLeft_AndStartsAgainAtHeadZero_OnlyFromTheLostEpoch()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a", "b", "c");

        var renewed = await log.RenewEpochAsync(topic, info.Epoch).WaitAsync(Timeout);
        Assert.NotEqual(info.Epoch, renewed.Epoch);
        Assert.Equal(0, renewed.Head);
        Assert.Empty((await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events);
        await Assert.ThrowsAsync<SequenceConflictException>(() => AppendAsync(log, topic, info.Epoch, 3, "stale writer"));
        var next = await AppendAsync(log, topic, renewed.Epoch, 0, "d");
        Assert.Equal(1, next[0].Sequence);

        // A second writer that saw the same loss finds the topic renewed already: nothing more happens.
        var again = await log.RenewEpochAsync(topic, info.Epoch).WaitAsync(Timeout);
        Assert.Equal(renewed.Epoch, again.Epoch);
        Assert.Equal(1, again.Head);
    }

    [Fact]
    public async Task Reads_AnswerEveryEventExactlyAsItWasStored()
    {
        // Types, keys and data as publishers send them: several types in a run, with and without a key,
        // text beyond ASCII (the in-memory log keeps events as UTF-8 bytes), line breaks, nothing at all,
        // and an event larger than a slab's arrays.
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        EventDraft[] drafts =
        [
            new("status", "plain"),
            new("status", "déjà vu 🚀 \u2028", "k1"),
            new("delta", "line one\nline two\r\nline three"),
            new("delta", ""),
            new("message", new string('x', 100_000), "k2"),
            new("status", "{\"json\":[1,2,3]}", "k1"),
        ];
        var stored = await log.AppendAsync(topic, info.Epoch, 0, drafts, Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);
        Clock.Advance(TimeSpan.FromMilliseconds(1_250));
        var later = await log.AppendAsync(topic, info.Epoch, drafts.Length, [new EventDraft("status", "later")], Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);

        var page = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        Assert.Equal([.. stored, .. later], page.Events);
        Assert.Equal(drafts.Select(d => (d.Type, d.Data, d.Key)), page.Events.Take(drafts.Length).Select(e => (e.Type, e.Data, e.Key)));
        Assert.Equal(Clock.GetUtcNow(), page.Events[^1].Time);
        var tail = await log.ReadAfterAsync(topic, 4, 2).WaitAsync(Timeout);
        Assert.Equal(page.Events.Skip(4).Take(2), tail.Events);
    }

    [Fact]
    public async Task UnknownTopic_HasHeadZeroAndNothingRetained()
    {
        var log = CreateLog();
        var (topic, first) = await NewTopicAsync(log);
        var page = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        var again = await log.GetInfoAsync(topic).WaitAsync(Timeout);

        // A read stores nothing, so the epoch it answers may differ from read to read (Redis makes one up each
        // time); head and retained history may not.
        Assert.Equal(new TopicInfo(topic, first.Epoch, 0, 1), first);
        Assert.False(string.IsNullOrWhiteSpace(first.Epoch));
        Assert.Empty(page.Events);
        Assert.Equal((0L, 1L), (page.Info.Head, page.Info.Oldest));
        Assert.Equal((0L, 1L), (again.Head, again.Oldest));
    }

    [Fact]
    public async Task UnknownTopic_FirstAppendAtHeadZero_StartsItInTheEpochItWasReadIn()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);

        var appended = await AppendAsync(log, topic, info.Epoch, 0, "first");

        Assert.Equal((info.Epoch, 1L), (Assert.Single(appended).Epoch, appended[0].Sequence));
        Assert.Equal(new TopicInfo(topic, info.Epoch, 1, 1), await log.GetInfoAsync(topic).WaitAsync(Timeout));
    }

    [Fact]
    public async Task UnknownTopic_AppendExpectingALaterHead_IsRefused_AndTheTopicStillStartsAtOne()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);

        await Assert.ThrowsAsync<SequenceConflictException>(() => AppendAsync(log, topic, info.Epoch, 3, "stale"));
        var fresh = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        var appended = await AppendAsync(log, topic, fresh.Epoch, 0, "first");

        Assert.Equal(1, Assert.Single(appended).Sequence);
        Assert.Equal(["first"], (await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout)).Events.Select(e => e.Data));
    }

    [Fact]
    public async Task Append_OneAtATime_GivesConsecutiveSequencesFromOne()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);

        for (var i = 1; i <= 5; i++)
        {
            var appended = await AppendAsync(log, topic, info.Epoch, i - 1, $"e{i}");
            Assert.Equal(i, Assert.Single(appended).Sequence);
        }

        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);
        Assert.Equal([1L, 2, 3, 4, 5], page.Events.Select(e => e.Sequence));
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], page.Events.Select(e => e.Data));
        Assert.Equal(new TopicInfo(topic, info.Epoch, 5, 1), page.Info);
    }

    [Fact]
    public async Task Append_ReturnsEventsEqualToWhatReadsReturn()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        // Data is stored as given: line breaks, quotes, non-ASCII text and an empty string survive the round trip.
        EventDraft[] drafts = [new("status", "line 1\nline 2\r\n\"quoted\" ünïcødé ✓"), new("message", ""), new("a.b-c_d", "{\"x\":1}")];

        var appended = await log.AppendAsync(topic, info.Epoch, 0, drafts, Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);
        var read = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);

        Assert.Equal(appended, read.Events);
        Assert.All(appended, e => Assert.Equal(info.Epoch, e.Epoch));
        Assert.All(appended, e => Assert.Equal(topic, e.Topic));
        Assert.All(appended, e => Assert.Equal(Clock.GetUtcNow(), e.Time));
        Assert.Equal(drafts.Select(d => (d.Type, d.Data)), appended.Select(e => (e.Type, e.Data)));
    }

    [Fact]
    public async Task AppendBatch_StoresEveryEventWithConsecutiveSequences()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "first");

        var batch = Enumerable.Range(0, 100).Select(i => new EventDraft("status", $"b{i}")).ToArray();
        var appended = await log.AppendAsync(topic, info.Epoch, 1, batch, Clock.GetUtcNow()).AsTask().WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(2, 100).Select(i => (long)i), appended.Select(e => e.Sequence));
        var page = await log.ReadAfterAsync(topic, 1, 1_000).WaitAsync(Timeout);
        Assert.Equal(appended, page.Events);
        Assert.Equal(101, page.Info.Head);
    }

    [Fact]
    public async Task Append_WithStaleHead_ThrowsConflictAndStoresNothing()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a", "b");

        // A stale writer that still believes the head is 1 (behind) or 5 (ahead) must not store its batch.
        foreach (var staleHead in new long[] { 1, 5 })
        {
            await Assert.ThrowsAsync<SequenceConflictException>(() =>
                AppendAsync(log, topic, info.Epoch, staleHead, "x", "y"));
        }

        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);
        Assert.Equal(["a", "b"], page.Events.Select(e => e.Data));
        Assert.Equal(2, page.Info.Head);
    }

    [Fact]
    public async Task Append_WithWrongEpoch_ThrowsConflictAndStoresNothing()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        // Created first: before its first append a topic has no epoch of its own to be wrong about.
        await AppendAsync(log, topic, info.Epoch, 0, "mine");

        await Assert.ThrowsAsync<SequenceConflictException>(() =>
            AppendAsync(log, topic, "notmine1", 1, "x"));

        var after = await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        Assert.Equal(["mine"], after.Events.Select(e => e.Data));
        Assert.Equal(new TopicInfo(topic, info.Epoch, 1, 1), after.Info);
    }

    [Fact]
    public async Task ConcurrentAppends_WithTheSameExpectedHead_ExactlyOneWins()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);

        for (var round = 0; round < 10; round++)
        {
            // Each round, two writers race a batch of two onto the head the previous winner left.
            var expectedHead = round * 2L;
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
                log.AppendAsync(topic, info.Epoch, expectedHead, [new EventDraft("status", $"r{round}w{w}"), new EventDraft("status", $"r{round}w{w}")], Clock.GetUtcNow()).AsTask())).ToArray();
            var outcomes = await Task.WhenAll(writers.Select(async w =>
            {
                try
                {
                    await w.WaitAsync(Timeout);
                    return true;
                }
                catch (SequenceConflictException)
                {
                    return false;
                }
            }));
            Assert.Single(outcomes, won => won);
        }

        var page = await log.ReadAfterAsync(topic, 0, 1_000).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), page.Events.Select(e => e.Sequence));
        // Each batch is whole: both events of a round come from the same writer.
        Assert.All(page.Events.Chunk(2), pair => Assert.Equal(pair[0].Data, pair[1].Data));
    }

    [Fact]
    public async Task ReadAfter_WithALimit_PagesThroughEveryEventOnce()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, Numbered(1, 25));

        var seen = new List<long>();
        var after = 0L;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await log.ReadAfterAsync(topic, after, 10).WaitAsync(Timeout);
            if (page.Events.Count == 0)
                break;
            Assert.True(page.Events.Count <= 10);
            seen.AddRange(page.Events.Select(e => e.Sequence));
            after = page.Events[^1].Sequence;
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task ReadAfter_AtOrBeyondHead_ReturnsNothing()
    {
        var log = CreateLog();
        var (topic, info) = await NewTopicAsync(log);
        await AppendAsync(log, topic, info.Epoch, 0, "a");

        Assert.Empty((await log.ReadAfterAsync(topic, 1, 10).WaitAsync(Timeout)).Events);
        Assert.Empty((await log.ReadAfterAsync(topic, 7, 10).WaitAsync(Timeout)).Events);
        Assert.Empty((await log.ReadAfterAsync(topic, long.MaxValue, 10).WaitAsync(Timeout)).Events);
        Assert.Equal(1, Assert.Single((await log.ReadAfterAsync(topic, -3, 10).WaitAsync(Timeout)).Events).Sequence);
    }

    [Fact]
    public async Task Topics_HaveIndependentSequences()
    {
        var log = CreateLog();
        var a = NewTopic();
        var b = NewTopic();
        var infoA = await log.GetInfoAsync(a).WaitAsync(Timeout);
        var infoB = await log.GetInfoAsync(b).WaitAsync(Timeout);

        await AppendAsync(log, a, infoA.Epoch, 0, "a1", "a2");
        var inB = await AppendAsync(log, b, infoB.Epoch, 0, "b1");

        Assert.Equal(1, Assert.Single(inB).Sequence);
        Assert.Equal(2, (await log.GetInfoAsync(a).WaitAsync(Timeout)).Head);
        Assert.Equal(["b1"], (await log.ReadAfterAsync(b, 0, 10).WaitAsync(Timeout)).Events.Select(e => e.Data));
    }

    [Fact]
    public async Task RetentionByCount_DropsTheOldest_ReadsStartAtOldest_HeadStays()
    {
        var log = CreateLog(maxEvents: 5);
        var (topic, info) = await NewTopicAsync(log);
        for (var head = 0; head < 12; head += 3)
            await AppendAsync(log, topic, info.Epoch, head, Numbered(head + 1, 3));

        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);

        Assert.Equal(new TopicInfo(topic, info.Epoch, 12, 8), page.Info);
        Assert.Equal([8L, 9, 10, 11, 12], page.Events.Select(e => e.Sequence));
        Assert.False(page.Info.Retains(3));
        Assert.True(page.Info.Retains(7));
        Assert.Equal([10L, 11, 12], (await log.ReadAfterAsync(topic, 9, 100).WaitAsync(Timeout)).Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task RetentionByCount_OfAnInternalTopic_IsItsOwnLimit()
    {
        // MaxEventsPerInternalTopic keeps its default (10,000): the Mercure update log holds every
        // Mercure update of the hub, so it keeps more than one topic's worth.
        var log = CreateLog(maxEvents: 5);
        var topic = "~" + NewTopic();
        var info = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        await AppendAsync(log, topic, info.Epoch, 0, Numbered(1, 12));

        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);

        Assert.Equal(new TopicInfo(topic, info.Epoch, 12, 1), page.Info);
    }

    [Fact]
    public async Task RetentionByCount_ABatchLargerThanTheLimit_KeepsOnlyItsNewest()
    {
        var log = CreateLog(maxEvents: 3);
        var (topic, info) = await NewTopicAsync(log);

        var appended = await AppendAsync(log, topic, info.Epoch, 0, Numbered(1, 10));

        Assert.Equal(10, appended.Count);
        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);
        Assert.Equal([8L, 9, 10], page.Events.Select(e => e.Sequence));
        Assert.Equal(new TopicInfo(topic, info.Epoch, 10, 8), page.Info);
    }

    [Fact]
    public async Task RetentionByAge_DropsExpiredEvents_WithoutAnyAppend()
    {
        var log = CreateLog(maxAge: TimeSpan.FromMinutes(1));
        var (topic, info) = await NewTopicAsync(log);
        await AppendOneEverySecondAsync(log, topic, info.Epoch, 40);

        // Now t0+40 s; at t0+83.5 s the cutoff is t0+23.5 s, so events 1..24 (stamped t0..t0+23 s) are gone.
        Clock.Advance(TimeSpan.FromSeconds(43.5));
        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);

        Assert.Equal(new TopicInfo(topic, info.Epoch, 40, 25), page.Info);
        Assert.Equal(Enumerable.Range(25, 16).Select(i => (long)i), page.Events.Select(e => e.Sequence));
        Assert.Equal(page.Info, await log.GetInfoAsync(topic).WaitAsync(Timeout));
    }

    [Fact]
    public async Task RetentionByAge_AsTimePasses_TheOldestMovesEventByEvent()
    {
        var log = CreateLog(maxAge: TimeSpan.FromMinutes(1));
        var (topic, info) = await NewTopicAsync(log);
        var t0 = await AppendOneEverySecondAsync(log, topic, info.Epoch, 30);

        // At t0+59.5 s + k s the cutoff is t0-0.5 s + k s: events 1..k are gone. The edge moves by
        // 1, 2, 3, … events between reads, up to the newest (past it, the topic's life ends: EndOfLife_*).
        foreach (var expired in new long[] { 1, 2, 4, 7, 11, 16, 22, 29 })
        {
            Clock.SetUtcNow(t0 + TimeSpan.FromSeconds(59.5 + expired));
            var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);
            Assert.Equal(new TopicInfo(topic, info.Epoch, 30, expired + 1), page.Info);
            Assert.Equal(Enumerable.Range((int)expired + 1, 30 - (int)expired).Select(i => (long)i), page.Events.Select(e => e.Sequence));
        }
    }
}
