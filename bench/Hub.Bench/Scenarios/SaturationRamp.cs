namespace Hub.Bench.Scenarios;

/// <summary>
/// The saturation ramp's rule, fed one step at a time: which step is the best the subscribers kept up with,
/// and when to stop raising the rate. A step kept up when its subscribers drained and its p99 stayed within
/// <c>--max-p99-ms</c>; one that did not is past saturation however much it delivered, and ends the ramp
/// (a server that delivers more by letting latency run to most of a second has not kept up). Among the
/// steps that kept up, the best is the first whose deliveries/s no later step beat by 5 %; two such
/// steps in a row end the ramp too.
/// </summary>
public sealed class SaturationRamp(double maxP99Ms, TimeSpan drainTimeout)
{
    private int _flat;

    /// <summary>The best step the subscribers kept up with so far, or null.</summary>
    public RampStep? Best { get; private set; }

    /// <summary>Why the ramp stopped, or null while it may go on.</summary>
    public string? Stopped { get; private set; }

    /// <summary>Takes a step's result; false when the ramp should stop (see <see cref="Stopped"/>).</summary>
    public bool Add(RampStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (Stopped is not null)
            throw new InvalidOperationException("The ramp has stopped.");
        if (!step.Drained)
            return Stop($"Stopped: subscribers fell behind (not drained within {drainTimeout.TotalSeconds:F0} s).");
        if (step.P99Ms > maxP99Ms)
            return Stop($"Stopped: p99 {step.P99Ms:F0} ms exceeded {maxP99Ms} ms.");
        if (Best is null || step.DeliveriesPerSecond > Best.DeliveriesPerSecond * 1.05)
        {
            Best = step;
            _flat = 0;
            return true;
        }
        return ++_flat < 2 || Stop($"Stopped: deliveries/s did not grow by 5 % for two steps after {Best.Rate:F0} ev/s.");
    }

    private bool Stop(string reason)
    {
        Stopped = reason;
        return false;
    }
}
