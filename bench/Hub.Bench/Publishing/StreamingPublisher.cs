using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Hub.Bench.Measuring;

namespace Hub.Bench.Publishing;

/// <summary>
/// One streamed publish (<c>POST /topics/{topic}/events</c>, <c>text/event-stream</c>, chunked): an
/// LLM-like upstream writing one SSE chunk per tick for the run's duration, each chunk's data a
/// <see cref="Payload"/> stamped just before it is written, so viewers measure chunk-to-viewer latency.
/// </summary>
public sealed class StreamingPublisher(HttpClient client, Uri node, string topic, int index, double chunksPerSecond, int payloadBytes)
{
    private readonly int _index = index;
    private readonly double _chunksPerSecond = chunksPerSecond;
    private readonly int _payloadBytes = payloadBytes;
    private long _sent;

    /// <summary>Chunks written into the request body so far.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary><see cref="Stopwatch"/> timestamps of the first and the last chunk written (0 before).</summary>
    public long FirstWrite { get; private set; }

    public long LastWrite { get; private set; }

    /// <summary>Chunks stored per second of the stream's writing (its chunks' intervals); 0 for fewer than two.</summary>
    public double StoredPerSecond =>
        Stored < 2 || LastWrite <= FirstWrite ? 0 : (Stored - 1) * (double)Stopwatch.Frequency / (LastWrite - FirstWrite);

    /// <summary>Chunks the hub reported stored (its <c>201</c>'s count, or a problem's <c>accepted</c>).</summary>
    public long Stored { get; private set; }

    public string? Error { get; private set; }

    public async Task RunAsync(TimeSpan duration, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, $"topics/{Uri.EscapeDataString(topic)}/events"))
        {
            Content = new Chunks(this, duration, stop),
        };
        try
        {
            using var response = await client.SendAsync(request, stop).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(stop).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            Stored = json.RootElement.TryGetProperty(response.StatusCode == HttpStatusCode.Created ? "count" : "accepted", out var count) ? count.GetInt64() : 0;
            if (response.StatusCode != HttpStatusCode.Created)
                Error = $"{(int)response.StatusCode}: {body}";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or JsonException)
        {
            Error = ex.Message;
        }
    }

    private sealed class Chunks : HttpContent
    {
        private readonly StreamingPublisher _owner;
        private readonly TimeSpan _duration;
        private readonly CancellationToken _stop;

        public Chunks(StreamingPublisher owner, TimeSpan duration, CancellationToken stop)
        {
            _owner = owner;
            _duration = duration;
            _stop = stop;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / _owner._chunksPerSecond));
            var end = Stopwatch.GetTimestamp() + (long)(_duration.TotalSeconds * Stopwatch.Frequency);
            long sequence = 0;
            try
            {
                while (Stopwatch.GetTimestamp() < end && await timer.WaitForNextTickAsync(cancel.Token).ConfigureAwait(false))
                {
                    var data = Payload.Format(_owner._index, ++sequence, Stopwatch.GetTimestamp(), _owner._payloadBytes);
                    await stream.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), cancel.Token).ConfigureAwait(false);
                    await stream.FlushAsync(cancel.Token).ConfigureAwait(false);
                    _owner.LastWrite = Stopwatch.GetTimestamp();
                    if (_owner.FirstWrite == 0)
                        _owner.FirstWrite = _owner.LastWrite;
                    Interlocked.Increment(ref _owner._sent);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The run was stopped: end the body, the hub answers with what it stored.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
