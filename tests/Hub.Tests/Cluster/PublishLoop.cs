using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Cluster;

/// <summary>
/// Publishers that keep publishing to a cluster through whichever API nodes are live, as a fleet of
/// real publishers behind a load balancer would, recording every outcome. Bounded in events and time.
/// Each event's data is <c>{topic}|{publisher}-{n}</c>, unique, so a subscriber's view can be checked
/// against the log.
/// </summary>
public sealed class PublishLoop : IAsyncDisposable
{
    private readonly HubCluster _cluster;
    private readonly string[] _topics;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _running;

    private PublishLoop(HubCluster cluster, string[] topics, int publishers, int eventsPerPublisher, TimeSpan pause, TimeSpan limit)
    {
        _cluster = cluster;
        _topics = topics;
        _stop.CancelAfter(limit);
        _running = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() => RunAsync(p, eventsPerPublisher, pause))));
    }

    /// <summary>One publish: when it started and ended (on the loop's clock), what came back.</summary>
    public sealed record Attempt(string Topic, string Data, TimeSpan Started, TimeSpan Ended, int Status, long Sequence, string? Failure)
    {
        public bool Acknowledged => Status is >= 200 and < 300;
    }

    /// <summary>Starts <paramref name="publishers"/> publishers, each publishing up to <paramref name="eventsPerPublisher"/> events round the topics.</summary>
    public static PublishLoop Start(HubCluster cluster, string[] topics, int publishers, int eventsPerPublisher, TimeSpan? pause = null, TimeSpan? limit = null) =>
        new(cluster, topics, publishers, eventsPerPublisher, pause ?? TimeSpan.FromMilliseconds(20), limit ?? TimeSpan.FromSeconds(90));

    /// <summary>Now, on the clock the attempts are stamped with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<Attempt> Attempts => [.. _attempts];

    public int Acknowledged => _attempts.Count(a => a.Acknowledged);

    /// <summary>Completes when at least <paramref name="count"/> more publishes were acknowledged.</summary>
    public async Task WaitForMoreAcksAsync(int count, TimeSpan timeout)
    {
        var target = Acknowledged + count;
        var clock = Stopwatch.StartNew();
        while (Acknowledged < target)
        {
            if (_running.IsCompleted)
                throw new InvalidOperationException($"The publishers stopped at {Acknowledged} acknowledgements, before {target}.");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Only {Acknowledged} of {target} publishes acknowledged within {timeout}.");
            // Polling a counter that many tasks move; there is no single event to await.
            await Task.Delay(20);
        }
    }

    /// <summary>Stops publishing (the in-flight publishes finish) and waits for the publishers.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until every publisher has published its count (or the time limit ran out).</summary>
    public Task CompletionAsync(TimeSpan timeout) => _running.WaitAsync(timeout);

    /// <summary>Publishes whose answer was neither an acknowledgement, nor a 503 problem, nor a connection lost to a dying node.</summary>
    public IReadOnlyList<Attempt> Failures => [.. _attempts.Where(a => a.Failure is not null)];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Disposal after a failed test: the publishers are bounded and end on their own.
        }
        _stop.Dispose();
    }

    private async Task RunAsync(int publisher, int count, TimeSpan pause)
    {
        var token = HubCluster.PublisherToken($"publisher-{publisher}");
        for (var n = 0; n < count && !_stop.IsCancellationRequested; n++)
        {
            var topic = _topics[n % _topics.Length];
            var live = _cluster.LiveApis;
            if (live.Count == 0)
            {
                await Task.Delay(pause);
                continue;
            }
            // Publishers spread over the nodes, and each moves on to another node on its next publish.
            var node = live[(publisher + n) % live.Count];
            _attempts.Enqueue(await PublishAsync(node, topic, $"{topic}|{publisher}-{n}", token));
            try
            {
                await Task.Delay(pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Attempt> PublishAsync(HubProcess node, string topic, string data, string token)
    {
        var started = _clock.Elapsed;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node.Address, $"topics/{topic}/events"))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { type = "status", data }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await _cluster.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var ack = (await response.Content.ReadFromJsonAsync<Publisher.Ack>(JsonSerializerOptions.Web))!;
                return new Attempt(topic, data, started, _clock.Elapsed, status, ack.Sequence, null);
            }
            var body = await response.Content.ReadAsStringAsync();
            // During a failover the one acceptable refusal is a 503 problem with Retry-After.
            var expected = response.StatusCode == HttpStatusCode.ServiceUnavailable
                && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && response.Headers.RetryAfter is not null;
            return new Attempt(topic, data, started, _clock.Elapsed, status, 0, expected ? null : $"{status}: {body}");
        }
        catch (HttpRequestException ex)
        {
            // The node died under the request (killed, or its connection closed while it stopped): the
            // publisher cannot know whether the event was stored, exactly as with a 503.
            return new Attempt(topic, data, started, _clock.Elapsed, 0, 0, node.HasExited || !_cluster.LiveApis.Contains(node) ? null : $"transport: {ex.Message}");
        }
        catch (TaskCanceledException ex)
        {
            return new Attempt(topic, data, started, _clock.Elapsed, 0, 0, $"timed out after {_clock.Elapsed - started}: {ex.Message}");
        }
    }
}
