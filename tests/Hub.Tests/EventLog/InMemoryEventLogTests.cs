using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.EventLog;

public sealed class InMemoryEventLogTests : EventLogContractTests
{
    protected override IEventLog CreateLog(RetentionOptions retention, int maxKeys = 10_000) =>
        new InMemoryEventLog(Options.Create(retention), Clock, Options.Create(new TopicStateOptions { MaxKeys = maxKeys }));

    [Fact]
    public async Task Reads_OfUnknownTopics_CreateNoTopic_UntilTheFirstAppend()
    {
        var log = new InMemoryEventLog(Options.Create(Retention(1_000, null)), Clock);
        for (var i = 0; i < 1_000; i++)
        {
            var topic = NewTopic();
            await log.GetInfoAsync(topic).WaitAsync(Timeout);
            await log.ReadAfterAsync(topic, 0, 10).WaitAsync(Timeout);
        }
        Assert.Equal(0, log.TopicCount);

        var (published, info) = await NewTopicAsync(log);
        await AppendAsync(log, published, info.Epoch, 0, "a");
        Assert.Equal(1, log.TopicCount);
    }

    [Fact]
    public async Task ShortLivedTopics_AreForgottenOnceTheirEventsAgeOut_SoTheLogStaysFlat()
    {
        // Answer topics kept an hour, as Hub:Retention:Topics:chat.*:MaxAge=01:00:00 configures; news a day.
        var retention = Retention(1_000, TimeSpan.FromDays(1));
        retention.Topics["chat.*"] = new TopicRetention { MaxAge = TimeSpan.FromHours(1) };
        var log = new InMemoryEventLog(Options.Create(retention), Clock);
        var news = await log.GetInfoAsync("news").WaitAsync(Timeout);
        await AppendAsync(log, "news", news.Epoch, 0, "kept");

        // Four hours of 500 new chat topics every 10 minutes, one answer each: 12,000 topics in all.
        const int PerRound = 500;
        var mostHeld = 0;
        for (var round = 0; round < 24; round++)
        {
            for (var i = 0; i < PerRound; i++)
            {
                var topic = $"chat.{round}.{i}";
                var info = await log.GetInfoAsync(topic).WaitAsync(Timeout);
                await AppendAsync(log, topic, info.Epoch, 0, "answer");
            }
            mostHeld = Math.Max(mostHeld, log.TopicCount);
            Clock.Advance(TimeSpan.FromMinutes(10));
        }

        // An hour's worth (six rounds) and the one being swept out, never the thousands published.
        Assert.InRange(mostHeld, 1 + 6 * PerRound, 1 + 8 * PerRound);
        Clock.Advance(TimeSpan.FromHours(1));
        await log.GetInfoAsync("chat.anything").WaitAsync(Timeout);
        Assert.Equal(1, log.TopicCount);
        Assert.Equal(new TopicInfo("news", news.Epoch, 1, 1), await log.GetInfoAsync("news").WaitAsync(Timeout));
    }

    [Fact]
    public async Task AWriterThatReadAnUnbornTopicBeforeASweepForgotTopics_IsRefusedOnce_ThenWritesInTheNewEpoch()
    {
        var log = new InMemoryEventLog(Options.Create(Retention(1_000, TimeSpan.FromSeconds(1))), Clock);
        var (old, oldInfo) = await NewTopicAsync(log);
        await AppendAsync(log, old, oldInfo.Epoch, 0, "a");
        var (topic, before) = await NewTopicAsync(log);

        // The sweep that forgets the old topic draws a new birth epoch: the one the writer read may have
        // been an earlier life's of this very topic, so it is refused rather than trusted.
        Clock.Advance(TimeSpan.FromSeconds(5));
        var after = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        Assert.Equal(0, log.TopicCount);
        Assert.NotEqual(before.Epoch, after.Epoch);
        await Assert.ThrowsAsync<SequenceConflictException>(() => AppendAsync(log, topic, before.Epoch, 0, "stale read"));
        Assert.Equal(0, log.TopicCount);

        var appended = await AppendAsync(log, topic, after.Epoch, 0, "first");
        Assert.Equal((after.Epoch, 1L), (Assert.Single(appended).Epoch, appended[0].Sequence));
    }

    [Fact]
    public async Task EventsPastRetention_AreReleasedAtOnce()
    {
        var log = new InMemoryEventLog(Options.Create(Retention(10, null)), Clock);
        var topic = NewTopic();
        var info = await log.GetInfoAsync(topic).WaitAsync(Timeout);
        var first = await WeakAppendAsync(log, topic, info.Epoch);
        for (var head = 1; head < 40; head++)
            await AppendAsync(log, topic, info.Epoch, head, $"event {head + 1}");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Event 1 is 30 events past the 10 retained: nothing may keep it (and every dead event like it) alive.
        Assert.False(first.TryGetTarget(out _), "the log still holds an event past its retention");
        var page = await log.ReadAfterAsync(topic, 0, 100).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(31, 10).Select(i => (long)i), page.Events.Select(e => e.Sequence));
    }

    // Appends in a frame of its own, so no local of the test keeps the event reachable.
    private async Task<WeakReference<TopicEvent>> WeakAppendAsync(IEventLog log, string topic, string epoch) =>
        new((await AppendAsync(log, topic, epoch, 0, "event 1"))[0]);
}
