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
}
