using Hub.Grains.EventLog;
using Microsoft.Extensions.Options;

namespace Hub.Tests.EventLog;

public sealed class InMemoryEventLogTests : EventLogContractTests
{
    protected override IEventLog CreateLog(int maxEvents = 1_000, TimeSpan? maxAge = null, int maxKeys = 10_000) =>
        new InMemoryEventLog(Options.Create(Retention(maxEvents, maxAge)), Clock, Options.Create(new TopicStateOptions { MaxKeys = maxKeys }));
}
