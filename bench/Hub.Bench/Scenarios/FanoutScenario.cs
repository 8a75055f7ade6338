using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Publishing;
using Hub.Bench.Results;
using Hub.Bench.Sse;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>fanout</c>: N subscribers on one topic (spread over the nodes), publishers at a total rate R for T
/// seconds. Reports deliveries/s, publish-to-receive latency and the correctness counts. With
/// <c>--saturate</c> it raises R step by step until deliveries/s stop growing or latency explodes, then
/// runs one step at half the saturating rate to report latency under a sustainable load.
/// </summary>
public sealed class FanoutScenario : IScenario
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly RunSettings _run;
    private readonly int _subscribers;
    private readonly double _rate;
    private readonly TimeSpan _duration;
    private readonly int _publishers;
    private readonly bool _saturate;
    private readonly double _stepFactor;
    private readonly double _maxP99Ms;
    private readonly double _maxRate;
    private readonly string _topic;
    private readonly TimeSpan _warmup;

    public FanoutScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _run = new RunSettings(args);
        _subscribers = args.Whole("subscribers", 200);
        _rate = args.Number("rate", 200);
        _saturate = args.Has("saturate");
        _duration = TimeSpan.FromSeconds(args.Number("duration", _saturate ? 5 : 10));
        _publishers = args.Whole("publishers", 0);
        _stepFactor = args.Number("step-factor", 1.5);
        _maxP99Ms = args.Number("max-p99-ms", 500);
        _maxRate = args.Number("max-rate", 50_000);
        _topic = _run.Topic("fanout");
        _warmup = TimeSpan.FromSeconds(args.Number("warmup", 2));
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var latency = new LatencySink();
        var group = new SubscriberGroup(_run.Target, _run.Client, [_topic], _subscribers, latency);
        var sets = new List<PublisherSet>();
        // The single-rate name carries its rate: run-compare runs it at half load and at nchan's saturating rate.
        var name = _saturate ? $"fanout saturation, {_subscribers} subscribers" : $"fanout, {_subscribers} subscribers at {_rate:0.#} ev/s";
        var result = _run.NewResult(name, new()
        {
            ["subscribers"] = _subscribers.ToString(CultureInfo.InvariantCulture),
            [_saturate ? "start rate" : "rate"] = $"{_rate} ev/s",
            [_saturate ? "step" : "duration"] = $"{_duration.TotalSeconds} s",
            ["warm-up"] = $"{_warmup.TotalSeconds} s",
        });
        await using (var progress = new ProgressLine("connecting", () => FanoutFigures.Status(group, () => sets.Sum(s => s.Sent), latency)))
        {
            try
            {
                await group.ConnectAsync(TimeSpan.FromSeconds(30 + (_subscribers / 50)), stop);
                if (_warmup > TimeSpan.Zero)
                {
                    // Not measured: lets both sides JIT, grow pools and settle before the figures count.
                    progress.Phase = "warm-up";
                    await RunStepAsync(group, sets, latency, _rate, _warmup, stop);
                }
                if (_saturate)
                    await SaturateAsync(group, sets, latency, result, progress, stop);
                else
                    await SingleRateAsync(group, sets, latency, result, progress, stop);
            }
            finally
            {
                await group.StopAsync();
            }
        }
        FanoutFigures.AddCorrectness(result, group, sets);
        return result;
    }

    private async Task SingleRateAsync(SubscriberGroup group, List<PublisherSet> sets, LatencySink latency, ScenarioResult result, ProgressLine progress, CancellationToken stop)
    {
        progress.Phase = "publishing";
        var step = await RunStepAsync(group, sets, latency, _rate, _duration, stop);
        result.Add("deliveries/s", step.DeliveriesPerSecond, "1/s", "higher");
        result.Add("publishes/s", step.PublishesPerSecond, "1/s", "higher");
        FanoutFigures.AddLatency(result, latency.Histogram);
    }

    private async Task SaturateAsync(SubscriberGroup group, List<PublisherSet> sets, LatencySink latency, ScenarioResult result, ProgressLine progress, CancellationToken stop)
    {
        var ramp = new SaturationRamp(_maxP99Ms, DrainTimeout);
        for (var rate = _rate; rate <= _maxRate && !stop.IsCancellationRequested; rate *= _stepFactor)
        {
            progress.Phase = $"saturating at {rate:F0} ev/s";
            var step = await RunStepAsync(group, sets, latency, rate, _duration, stop);
            result.Steps.Add(step.Row());
            if (!ramp.Add(step))
                break;
        }
        if (ramp.Stopped is { } reason)
            result.Notes.Add(reason);
        if (ramp.Best is not { } best)
            return;
        // Both from the best step the subscribers kept up with, and the rate actually published there, not
        // the step's target: the ordered publishers may fall short of a target, and half of a target they
        // never reached can be more than the subscribers kept up with.
        result.Add("saturation deliveries/s", best.DeliveriesPerSecond, "1/s", "higher");
        result.Add("saturation rate", best.PublishesPerSecond, "ev/s", "higher");

        var half = best.PublishesPerSecond / 2;
        progress.Phase = $"half load, {half:F0} ev/s";
        var halfStep = await RunStepAsync(group, sets, latency, half, _duration, stop);
        result.Steps.Add(halfStep.Row());
        result.Add("half-load deliveries/s", halfStep.DeliveriesPerSecond, "1/s", "higher");
        FanoutFigures.AddLatency(result, latency.Histogram, "half-load latency");
    }

    /// <summary>Publishes at <paramref name="rate"/> for <paramref name="duration"/>, waits for the subscribers to drain, and measures.</summary>
    private async Task<RampStep> RunStepAsync(SubscriberGroup group, List<PublisherSet> sets, LatencySink latency, double rate, TimeSpan duration, CancellationToken stop)
    {
        latency.Histogram = new LatencyHistogram();
        var publishers = new PublisherSet(_run.Target, _run.Client, [_topic], _publishers > 0 ? _publishers : RunSettings.PublishersFor(rate), rate, _run.PayloadBytes);
        sets.Add(publishers);
        var receivedBefore = group.Received;
        var started = Stopwatch.GetTimestamp();
        await publishers.RunAsync(duration, long.MaxValue, stop);
        var publishSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var drained = await group.WaitForDeliveriesAsync(receivedBefore + (publishers.Acknowledged * group.Subscribers.Count), DrainTimeout, stop);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var h = latency.Histogram;
        return new RampStep(rate, publishers.Acknowledged / publishSeconds, (group.Received - receivedBefore) / seconds, h.PercentileMs(0.5), h.PercentileMs(0.99), h.PercentileMs(0.999), group.Reconnects, drained);
    }
}
