namespace Hub.Bench.Results;

/// <summary>The outcome of one scenario against one target, as written to JSON and Markdown.</summary>
public sealed class ScenarioResult
{
    public required string Scenario { get; init; }

    /// <summary>"hub" or "nchan".</summary>
    public required string Target { get; init; }

    /// <summary>What the run compares under (<c>--label</c>): "hub", "hub-cluster", "nchan".</summary>
    public required string Label { get; init; }

    public DateTimeOffset At { get; init; } = DateTimeOffset.Now;

    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>The 1-minute load average at the end: the machine is shared, so this says how noisy the figures are.</summary>
    public string LoadAverage { get; init; } = ReadLoadAverage();

    public Dictionary<string, string> Parameters { get; init; } = [];

    public List<Metric> Metrics { get; init; } = [];

    /// <summary>The steps of a saturation run, one row each.</summary>
    public List<Dictionary<string, double>> Steps { get; init; } = [];

    public List<string> Notes { get; init; } = [];

    public void Add(string name, double value, string unit, string goal) => Metrics.Add(new Metric(name, value, unit, goal));

    private static string ReadLoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
