using Hub.Bench.Measuring;

namespace Hub.Bench.Sse;

/// <summary>Where subscribers record publish-to-receive latency; swapped between the steps of a saturation run.</summary>
public sealed class LatencySink
{
    private LatencyHistogram _histogram = new();

    public LatencyHistogram Histogram
    {
        get => Volatile.Read(ref _histogram);
        set => Volatile.Write(ref _histogram, value);
    }
}
