using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Publishing;
using Hub.Bench.Results;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>publish</c>: C concurrent publishers over M topics, each sending its next event as soon as the last
/// one was acknowledged, for T seconds. Reports acknowledged publishes/s and their latency.
/// </summary>
public sealed class PublishScenario : IScenario
{
    private readonly RunSettings _run;
    private readonly int _publishers;
    private readonly int _topics;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _warmup;

    public PublishScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _run = new RunSettings(args);
        _publishers = args.Whole("publishers", 64);
        _topics = args.Whole("topics", 100);
        _duration = TimeSpan.FromSeconds(args.Number("duration", 10));
        _warmup = TimeSpan.FromSeconds(args.Number("warmup", 2));
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var topics = Enumerable.Range(0, _topics).Select(i => _run.Topic("publish", i)).ToList();
        if (_warmup > TimeSpan.Zero)
        {
            // The same publishers on the same topics, not counted: the server reaches its steady state first.
            var warm = new PublisherSet(_run.Target, _run.Client, topics, _publishers, 0, _run.PayloadBytes);
            await using (new ProgressLine("warm-up", () => $"acknowledged {warm.Acknowledged}, errors {warm.Errors}"))
                await warm.RunAsync(_warmup, long.MaxValue, stop);
        }
        var set = new PublisherSet(_run.Target, _run.Client, topics, _publishers, 0, _run.PayloadBytes);
        var started = Stopwatch.GetTimestamp();
        await using (new ProgressLine("publishing", () =>
            $"acknowledged {set.Acknowledged} ({set.Acknowledged / Math.Max(0.001, Stopwatch.GetElapsedTime(started).TotalSeconds):F0}/s), " +
            $"p99 {set.AckLatency.PercentileMs(0.99):F1} ms, errors {set.Errors}"))
        {
            await set.RunAsync(_duration, long.MaxValue, stop);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var result = _run.NewResult(_topics == 1 ? "publish, 1 topic" : $"publish, {_topics} topics", new()
        {
            ["publishers"] = _publishers.ToString(CultureInfo.InvariantCulture),
            ["topics"] = _topics.ToString(CultureInfo.InvariantCulture),
            ["duration"] = $"{_duration.TotalSeconds} s",
            ["warm-up"] = $"{_warmup.TotalSeconds} s",
        });
        result.Add("publishes/s", set.Acknowledged / seconds, "1/s", "higher");
        FanoutFigures.AddLatency(result, set.AckLatency, "ack latency");
        result.Add("publish errors", set.Errors, "", "zero");
        if (set.LastError is { } error)
            result.Notes.Add($"Last publish error: {error}");
        return result;
    }
}
