using System.Diagnostics;
using System.Globalization;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Publishing;
using Hub.Bench.Results;
using Hub.Bench.Sse;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>resume-storm</c>: N clients on one topic drop together; B events are published while they are
/// away; then all reconnect at once with their <c>Last-Event-ID</c> while publishing goes on at a steady
/// rate. Reports the time until every client has received the last event published before the storm,
/// and whether anything was lost or repeated across the reconnect.
/// </summary>
public sealed class ResumeStormScenario : IScenario
{
    private const int WarmupEvents = 5;
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly RunSettings _run;
    private readonly int _clients;
    private readonly int _behind;
    private readonly double _rate;

    public ResumeStormScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _run = new RunSettings(args);
        _clients = args.Whole("clients", 1000);
        _behind = args.Whole("behind", 100);
        _rate = args.Number("rate", 50);
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var topic = _run.Topic("resume");
        var latency = new LatencySink();
        var group = new SubscriberGroup(_run.Target, _run.Client, [topic], _clients, latency);
        // One sequential publisher: its sequence is the topic's order, so "caught up" is one number.
        var publishers = new PublisherSet(_run.Target, _run.Client, [topic], 1, _rate, _run.PayloadBytes);
        var fast = new PublisherSet(_run.Target, _run.Client, [topic], 1, 0, _run.PayloadBytes);
        var result = _run.NewResult($"resume storm, {_clients} clients", new()
        {
            ["clients"] = _clients.ToString(CultureInfo.InvariantCulture),
            ["behind"] = $"{_behind} events",
            ["rate during storm"] = $"{_rate} ev/s",
        });
        var caughtUp = 0;
        double allSeconds = -1;
        var perClient = new LatencyHistogram();
        await using (var progress = new ProgressLine("connecting", () =>
            FanoutFigures.Status(group, () => fast.Sent + publishers.Sent, latency) + $", caught up {Volatile.Read(ref caughtUp)}"))
        {
            try
            {
                await group.ConnectAsync(TimeSpan.FromSeconds(30 + (_clients / 50)), stop);
                progress.Phase = "warm-up";
                await fast.RunAsync(TimeSpan.MaxValue, WarmupEvents, stop);
                await group.WaitForDeliveriesAsync(fast.Acknowledged * _clients, TimeSpan.FromSeconds(30), stop);

                progress.Phase = "dropping";
                foreach (var s in group.Subscribers)
                    s.Drop();
                await WaitUntilAsync(() => group.ConnectedCount == 0, TimeSpan.FromSeconds(30), stop);

                progress.Phase = $"publishing {_behind} while away";
                await fast.RunAsync(TimeSpan.MaxValue, _behind, stop);
                var target = fast.Publishers[0].Ledger.LastSent;
                var publisher = fast.Publishers[0].Ledger.Publisher;

                progress.Phase = "resume storm";
                using var steady = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var background = publishers.RunAsync(TimeSpan.MaxValue, long.MaxValue, steady.Token);
                var t0 = Stopwatch.GetTimestamp();
                foreach (var s in group.Subscribers)
                    s.Resume(publisher, target);
                await WaitUntilAsync(() => (caughtUp = group.Subscribers.Count(s => s.CaughtUpAt != 0)) == _clients, CatchUpTimeout, stop);
                foreach (var s in group.Subscribers.Where(s => s.CaughtUpAt != 0))
                    perClient.Record((long)Stopwatch.GetElapsedTime(t0, s.CaughtUpAt).TotalMicroseconds);
                if (caughtUp == _clients)
                    allSeconds = perClient.MaxMs / 1000;

                // A little more live traffic after the storm shows the resumed streams are live again.
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
                await steady.CancelAsync();
                await background;
                progress.Phase = "draining";
                var expected = (fast.Acknowledged + publishers.Acknowledged) * _clients;
                // As long as the catch-up may take: a slow catch-up must not be counted as a loss.
                await group.WaitForDeliveriesAsync(expected, CatchUpTimeout, stop);
            }
            finally
            {
                await group.StopAsync();
            }
        }
        result.Add("all caught up after", allSeconds, "s", "lower");
        result.Add("clients caught up", caughtUp, "", "higher");
        result.Add("catch-up p50", perClient.PercentileMs(0.5), "ms", "lower");
        result.Add("catch-up p99", perClient.PercentileMs(0.99), "ms", "lower");
        FanoutFigures.AddCorrectness(result, group, [fast, publishers]);
        result.Add("resets", group.Resets, "", "zero");
        if (allSeconds < 0)
            result.Notes.Add($"Only {caughtUp} of {_clients} clients caught up within {CatchUpTimeout.TotalSeconds} s; \"all caught up after\" is -1.");
        return result;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var end = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition() && Stopwatch.GetTimestamp() < end)
            await timer.WaitForNextTickAsync(stop);
    }
}
