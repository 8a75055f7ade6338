using System.Diagnostics;
using Hub.Bench.Measuring;
using Hub.Bench.Targets;

namespace Hub.Bench.Publishing;

/// <summary>
/// One publisher: it sends its events one after another, each after the previous one was acknowledged, so
/// its sequence numbers reach the hub in order and per-publisher order is what subscribers must see. Paced
/// at <c>rate</c> events per second on a schedule (a late event goes out at once, it does not shift the
/// schedule), or as fast as acknowledgements allow when the rate is 0.
/// </summary>
public sealed class Publisher(IHubTarget target, HttpClient client, Uri node, IReadOnlyList<string> topics, int id, double rate, int payloadBytes, LatencyHistogram ackLatency)
{
    private long _errors;

    public PublishLedger Ledger { get; } = new(id);

    public long Errors => Volatile.Read(ref _errors);

    public string? LastError { get; private set; }

    /// <summary>Publishes until <paramref name="duration"/> passed, <paramref name="maxEvents"/> were sent, or <paramref name="stop"/>.</summary>
    public async Task RunAsync(TimeSpan duration, long maxEvents, CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        // TimeSpan.MaxValue means "until maxEvents": its ticks would overflow a Stopwatch timestamp.
        var end = duration >= TimeSpan.FromDays(1) ? long.MaxValue : start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (long sequence = Ledger.LastSent + 1, n = 0; n < maxEvents && !stop.IsCancellationRequested; sequence++, n++)
        {
            if (rate > 0)
            {
                var due = start + (long)(n / rate * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // stopping is how an open-ended run ends
                    }
                }
            }
            if (Stopwatch.GetTimestamp() >= end)
                return;
            await PublishAsync(topics[(int)(n % topics.Count)], sequence, stop).ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(string topic, long sequence, CancellationToken stop)
    {
        var sent = Stopwatch.GetTimestamp();
        Ledger.Sent(sequence);
        try
        {
            using var request = target.CreatePublish(node, topic, Payload.Format(Ledger.Publisher, sequence, sent, payloadBytes));
            using var response = await client.SendAsync(request, stop).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                ackLatency.Record(Payload.MicrosecondsSince(sent));
                return;
            }
            LastError = $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            LastError = ex.Message;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cut off by the end of an open-ended run: not acknowledged, so not expected, but no error either.
            Ledger.Fail(sequence);
            return;
        }
        Ledger.Fail(sequence);
        Interlocked.Increment(ref _errors);
    }
}
