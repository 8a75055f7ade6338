using System.Globalization;
using Hub.Bench.Cli;
using Hub.Bench.Results;
using Hub.Bench.Targets;

namespace Hub.Bench.Scenarios;

/// <summary>Options every scenario shares.</summary>
public sealed class RunSettings
{
    public RunSettings(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Target = TargetFactory.Create(args);
        Label = args.Text("label", Target.Kind);
        PayloadBytes = args.Whole("payload-bytes", 64);
        // Each run gets fresh topics, so no history of an earlier run is replayed into this one.
        RunId = args.Text("run-id", DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture));
    }

    public IHubTarget Target { get; }

    public string Label { get; }

    /// <summary>Size of each event's data in bytes (the payload is padded up to it). Default 64.</summary>
    public int PayloadBytes { get; }

    public string RunId { get; }

    public HttpClient Client { get; } = HttpClients.Create();

    public string Topic(string scenario, int index = 0) => $"bench-{scenario}-{RunId}-{index}";

    public ScenarioResult NewResult(string scenario, Dictionary<string, string> parameters) => new()
    {
        Scenario = scenario,
        Target = Target.Kind,
        Label = Label,
        Parameters = new Dictionary<string, string>(parameters) { ["nodes"] = Target.Nodes.Count.ToString(CultureInfo.InvariantCulture), ["payload"] = $"{PayloadBytes} B" },
    };

    /// <summary>Publishers for a rate: one sequential publisher manages about 100 acknowledged events/s on a loaded machine.</summary>
    public static int PublishersFor(double rate) => (int)Math.Clamp(Math.Ceiling(rate / 100), 1, 64);
}
