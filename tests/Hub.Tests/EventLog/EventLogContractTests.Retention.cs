using Hub.Grains.EventLog;
using Xunit;

namespace Hub.Tests.EventLog;

public abstract partial class EventLogContractTests
{
    [Fact]
    public async Task RetentionByPattern_MatchingTopicsKeepTheirOwnCountAndAge_OtherTopicsTheHubWideOnes()
    {
        var retention = Retention(100, TimeSpan.FromDays(1));
        retention.Topics["answer.*"] = new TopicRetention { MaxEvents = 3, MaxAge = TimeSpan.FromMinutes(1) };
        // More specific: its own count, and the hub-wide age (an unset limit is not taken from answer.*).
        retention.Topics["answer.kept.*"] = new TopicRetention { MaxEvents = 5 };
        var log = CreateLog(retention);
        var answer = $"answer.{Guid.NewGuid():N}";
        var kept = $"answer.kept.{Guid.NewGuid():N}";
        var other = NewTopic();
        foreach (var topic in new[] { answer, kept, other })
            await AppendAsync(log, topic, (await log.GetInfoAsync(topic).WaitAsync(Timeout)).Epoch, 0, Numbered(1, 10));

        Assert.Equal(8, (await log.GetInfoAsync(answer).WaitAsync(Timeout)).Oldest);
        Assert.Equal(6, (await log.GetInfoAsync(kept).WaitAsync(Timeout)).Oldest);
        Assert.Equal(1, (await log.GetInfoAsync(other).WaitAsync(Timeout)).Oldest);

        Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await log.ReadAfterAsync(answer, 0, 100).WaitAsync(Timeout);
        // Nothing retained (the log may have forgotten the topic already: EndOfLife_*).
        Assert.Empty(expired.Events);
        Assert.True(expired.Info.Oldest > expired.Info.Head);
        Assert.Equal(5, (await log.ReadAfterAsync(kept, 0, 100).WaitAsync(Timeout)).Events.Count);
        Assert.Equal(10, (await log.ReadAfterAsync(other, 0, 100).WaitAsync(Timeout)).Events.Count);
    }
}
