using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Publishing;
using Hub.Bench.Results;
using Hub.Bench.Sse;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>stream</c>: N streamed publishes at once (LLM answers piped in: one <c>text/event-stream</c> request
/// each, default 500), each writing C chunks/s (default 50) into its own topic for T seconds, with one
/// viewer per topic. Reports chunks/s the hub ingested (stored, as the publishes' <c>201</c>s count them),
/// chunks/s delivered, and chunk-to-viewer latency (written into the request body → parsed by the viewer).
/// </summary>
public sealed class StreamScenario : IScenario
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly RunSettings _run;
    private readonly int _streams;
    private readonly double _chunksPerSecond;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _warmup;

    public StreamScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _run = new RunSettings(args);
        if (_run.Target.Kind != "hub")
            throw new ArgumentException("The stream scenario needs --target hub (streamed publish is Hub's own endpoint).");
        _streams = args.Whole("streams", 500);
        _chunksPerSecond = args.Number("chunks-per-second", 50);
        _duration = TimeSpan.FromSeconds(args.Number("duration", 30));
        _warmup = TimeSpan.FromSeconds(args.Number("warmup", 10));
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var topics = Enumerable.Range(0, _streams).Select(i => _run.Topic("stream", i)).ToList();
        var latency = new LatencySink();
        var viewers = new SubscriberGroup(_run.Target, _run.Client, topics, _streams, latency);
        var publishers = Enumerable.Range(0, _streams)
            .Select(i => new StreamingPublisher(_run.Client, _run.Target.Nodes[i % _run.Target.Nodes.Count], topics[i], i, _chunksPerSecond, _run.PayloadBytes))
            .ToList();
        var result = _run.NewResult($"stream, {_streams} streamed publishes at {_chunksPerSecond:0.#} chunks/s", new()
        {
            ["streams"] = _streams.ToString(CultureInfo.InvariantCulture),
            ["chunks/s per stream"] = _chunksPerSecond.ToString(CultureInfo.InvariantCulture),
            ["duration"] = $"{_duration.TotalSeconds} s",
            ["warm-up"] = $"{_warmup.TotalSeconds} s",
        });
        await using (var progress = new ProgressLine("connecting viewers", () =>
            $"viewers {viewers.ReadyCount}/{_streams}, written {publishers.Sum(p => p.Sent)}, delivered {viewers.Received}, p99 {latency.Histogram.PercentileMs(0.99):F1} ms"))
        {
            try
            {
                await viewers.ConnectAsync(TimeSpan.FromSeconds(30 + (_streams / 50)), stop);
                progress.Phase = _warmup > TimeSpan.Zero ? "warm-up" : "streaming";
                var started = Stopwatch.GetTimestamp();
                var streaming = Task.WhenAll(publishers.Select(p => p.RunAsync(_warmup + _duration, stop)));
                if (_warmup > TimeSpan.Zero)
                {
                    // The streams run on through the warm-up (an answer does not pause), but the latency of
                    // its chunks is not counted: both sides JIT, grow pools and settle first.
                    await Task.WhenAny(streaming, Task.Delay(_warmup, stop));
                    latency.Histogram = new LatencyHistogram();
                    progress.Phase = "streaming";
                }
                await streaming;
                var stored = publishers.Sum(p => p.Stored);
                progress.Phase = "draining";
                var drained = await viewers.WaitForDeliveriesAsync(stored, DrainTimeout, stop);
                // Each stream's rate between its first and last chunk (n chunks, n - 1 intervals), summed: what
                // the hub took in while it was offered, not diluted by the connects before and the answers
                // after. A hub that held the publishers back (flow control) makes their writes late, and this lower.
                result.Add("chunks/s offered", _streams * _chunksPerSecond, "1/s", "higher");
                result.Add("chunks/s ingested", publishers.Sum(p => p.StoredPerSecond), "1/s", "higher");
                result.Add("chunks/s delivered", viewers.Received / Stopwatch.GetElapsedTime(started).TotalSeconds, "1/s", "higher");
                result.Add("chunks written", publishers.Sum(p => p.Sent), "", "higher");
                result.Add("chunks stored", stored, "", "higher");
                result.Add("chunks delivered", viewers.Received, "", "higher");
                FanoutFigures.AddLatency(result, latency.Histogram);
                if (!drained)
                    result.Notes.Add($"Viewers had {viewers.Received} of {stored} stored chunks {DrainTimeout.TotalSeconds} s after the streams ended.");
            }
            finally
            {
                await viewers.StopAsync();
            }
        }
        result.Add("duplicated", viewers.Duplicates, "events", "zero");
        result.Add("out of order", viewers.OutOfOrder, "events", "zero");
        result.Add("viewer reconnects", viewers.Reconnects, "", "zero");
        result.Add("stream errors", publishers.Count(p => p.Error is not null), "", "zero");
        if (publishers.Select(p => p.Error).LastOrDefault(e => e is not null) is { } error)
            result.Notes.Add($"Last stream error: {error}");
        return result;
    }
}
