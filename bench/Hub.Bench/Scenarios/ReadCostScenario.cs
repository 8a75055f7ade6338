using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Results;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>read-cost</c>: what reading names nobody publishes costs a Hub node, as an anonymous crawler would
/// read them: <c>--names</c> distinct topics, each read once (topic info; every tenth a history page;
/// every thousandth an SSE stream opened until it is attached, then closed), <c>--concurrency</c> at a
/// time. The server's RSS (<c>--pid</c>) and managed heap (<c>GET /status/data</c>) before, right after,
/// and after <c>--settle</c> seconds (Orleans collects the topic grains the reads activated once they
/// have been idle for its collection age). The node must run with the per-address limits off: every
/// read comes from one address.
/// </summary>
public sealed class ReadCostScenario : IScenario
{
    private readonly RunSettings _run;
    private readonly int _names;
    private readonly int _concurrency;
    private readonly TimeSpan _settle;
    private readonly IReadOnlyList<int> _pids;

    public ReadCostScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _run = new RunSettings(args);
        _names = args.Whole("names", 100_000);
        _concurrency = args.Whole("concurrency", 32);
        _settle = TimeSpan.FromSeconds(args.Number("settle", 0));
        _pids = [.. args.List("pid").Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        if (_pids.Count == 0)
            throw new ArgumentException("read-cost needs --pid <server pid> to read the server's memory.");
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var node = _run.Target.Nodes[0];
        var before = await SnapshotAsync(node, stop);
        var done = 0;
        var failed = 0;
        var started = DateTime.UtcNow;
        await using (new ProgressLine("reading", () => $"{done:N0}/{_names:N0} names, {failed} failed, server RSS {ProcessMemory.RssBytes(_pids) / 1048576.0:F1} MiB"))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, _names), new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = stop }, async (i, token) =>
            {
                var topic = _run.Topic("unread", i);
                try
                {
                    if (i % 1_000 == 0)
                        await OpenAndCloseStreamAsync(node, topic, token);
                    else
                        await ReadAsync(node, i % 10 == 0 ? $"topics/{topic}/events?after=5" : $"topics/{topic}", token);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
                Interlocked.Increment(ref done);
            });
        }
        var elapsed = DateTime.UtcNow - started;
        var after = await SnapshotAsync(node, stop);
        var settled = after;
        if (_settle > TimeSpan.Zero)
        {
            await using (new ProgressLine("settling", () => $"server RSS {ProcessMemory.RssBytes(_pids) / 1048576.0:F1} MiB"))
                await Task.Delay(_settle, stop);
            settled = await SnapshotAsync(node, stop);
        }

        var result = _run.NewResult($"read-cost, {_names} distinct unknown names", new()
        {
            ["names"] = _names.ToString(CultureInfo.InvariantCulture),
            ["concurrency"] = _concurrency.ToString(CultureInfo.InvariantCulture),
            ["settle"] = $"{_settle.TotalSeconds:F0} s",
        });
        result.Add("reads failed", failed, "", "lower");
        result.Add("reads per second", _names / elapsed.TotalSeconds, "/s", "higher");
        result.Add("server RSS before", before.Rss / 1048576.0, "MiB", "lower");
        result.Add("server RSS after the reads", after.Rss / 1048576.0, "MiB", "lower");
        result.Add("server RSS after settling", settled.Rss / 1048576.0, "MiB", "lower");
        result.Add("managed heap before", before.Heap / 1048576.0, "MiB", "lower");
        result.Add("managed heap after the reads", after.Heap / 1048576.0, "MiB", "lower");
        result.Add("managed heap after settling", settled.Heap / 1048576.0, "MiB", "lower");
        result.Notes.Add("The managed heap is GC.GetTotalMemory(false) on the node: garbage not yet collected included.");
        return result;
    }

    private async Task ReadAsync(Uri node, string path, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _run.Client.SendAsync(request, token);
        response.EnsureSuccessStatusCode();
        await response.Content.CopyToAsync(Stream.Null, token);
    }

    /// <summary>Opens the topic's stream, reads until the hub's first <c>id:</c> line (the connection is attached), and closes it.</summary>
    private async Task OpenAndCloseStreamAsync(Uri node, string topic, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, _run.Target.SubscribeUri(node, topic));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _run.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line && !line.StartsWith("id:", StringComparison.Ordinal))
        {
        }
    }

    private async Task<(long Rss, long Heap)> SnapshotAsync(Uri node, CancellationToken token)
    {
        using var response = await _run.Client.GetAsync(new Uri(node, "status/data"), token);
        response.EnsureSuccessStatusCode();
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
        return (ProcessMemory.RssBytes(_pids), status.RootElement.GetProperty("managedHeapBytes").GetInt64());
    }
}
