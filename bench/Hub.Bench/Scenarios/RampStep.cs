namespace Hub.Bench.Scenarios;

/// <summary>One step of a fan-out run: the rate aimed at, what was published and delivered, and how late.</summary>
public sealed record RampStep(double Rate, double PublishesPerSecond, double DeliveriesPerSecond, double P50Ms, double P99Ms, double P999Ms, int Reconnects, bool Drained)
{
    public Dictionary<string, double> Row() => new()
    {
        ["target ev/s"] = Rate,
        ["published/s"] = PublishesPerSecond,
        ["deliveries/s"] = DeliveriesPerSecond,
        ["p50 ms"] = P50Ms,
        ["p99 ms"] = P99Ms,
        ["p99.9 ms"] = P999Ms,
        ["reconnects"] = Reconnects,
        ["drained"] = Drained ? 1 : 0,
    };
}
