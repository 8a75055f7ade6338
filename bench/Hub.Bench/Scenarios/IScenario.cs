using Hub.Bench.Results;

namespace Hub.Bench.Scenarios;

/// <summary>A benchmark. Its constructor reads its options, so a mistyped one is reported before anything runs.</summary>
public interface IScenario
{
    Task<ScenarioResult> RunAsync(CancellationToken stop);
}
