using Hub.Grains.EventLog;
using Microsoft.Extensions.Options;

namespace Hub.Tests.EventLog;

public sealed class InMemoryEventLogTests : EventLogContractTests
{
    protected override IEventLog CreateLog(RetentionOptions retention) => new InMemoryEventLog(Options.Create(retention), Clock);
}
