namespace Hub.Bench.Results;

/// <summary>One measured figure. <paramref name="Goal"/> says which way is better: "higher", "lower" or "zero" (a correctness count).</summary>
public sealed record Metric(string Name, double Value, string Unit, string Goal);
