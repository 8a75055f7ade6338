using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Hub.Bench.Cli;
using Hub.Bench.Measuring;
using Hub.Bench.Results;
using Hub.Bench.Sse;

namespace Hub.Bench.Scenarios;

/// <summary>
/// <c>idle</c>: N idle SSE connections; the server's RSS (<c>--pid</c>, several PIDs summed) before and
/// after, divided by N. A process may open at most 20,000 files here, so the connections are split over
/// <c>--processes</c> client processes: this one and copies of itself started as <c>idle-child</c>.
/// </summary>
public sealed class IdleScenario : IScenario
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(120);

    private readonly BenchArgs _args;
    private readonly RunSettings _run;
    private readonly int _connections;
    private readonly int _processes;
    private readonly int _topics;
    private readonly TimeSpan _settle;
    private readonly IReadOnlyList<int> _pids;

    public IdleScenario(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _args = args;
        _run = new RunSettings(args);
        _connections = args.Whole("connections", 2000);
        _processes = args.Whole("processes", _connections > 5000 ? 2 : 1);
        _topics = args.Whole("topics", 1);
        _settle = TimeSpan.FromSeconds(args.Number("settle", 5));
        _pids = [.. args.List("pid").Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        if (_pids.Count == 0)
            throw new ArgumentException("idle needs --pid <server pid>[,<pid>...] to read the server's memory.");
    }

    public async Task<ScenarioResult> RunAsync(CancellationToken stop)
    {
        var topics = Enumerable.Range(0, _topics).Select(i => _run.Topic("idle", i)).ToList();
        var share = _connections / _processes;
        var own = _connections - (share * (_processes - 1));
        var group = new SubscriberGroup(_run.Target, _run.Client, topics, own, new LatencySink());
        var children = new List<ChildProcess>();
        var before = ProcessMemory.RssBytes(_pids);
        long after = 0, afterClose = 0;
        await using (var progress = new ProgressLine("connecting", () =>
            $"ready {group.ReadyCount + children.Sum(c => c.Ready)}/{_connections}, server RSS {ProcessMemory.RssBytes(_pids) / 1048576.0:F1} MiB"))
        {
            try
            {
                for (var i = 1; i < _processes; i++)
                    children.Add(ChildProcess.Start(_args, _run.RunId, share));
                await group.ConnectAsync(TimeSpan.FromSeconds(30 + (own / 50)), stop);
                await Task.WhenAll(children.Select(c => c.WaitReadyAsync(ChildTimeout, stop)));
                progress.Phase = "settling";
                await Task.Delay(_settle, stop);
                after = ProcessMemory.RssBytes(_pids);
            }
            finally
            {
                await group.StopAsync();
                foreach (var child in children)
                    await child.StopAsync();
            }
            progress.Phase = "closed, settling";
            await Task.Delay(_settle, stop);
            afterClose = ProcessMemory.RssBytes(_pids);
        }
        var open = group.ReadyCount + children.Sum(c => c.Ready);
        var result = _run.NewResult($"idle, {_connections} connections", new()
        {
            ["connections"] = _connections.ToString(CultureInfo.InvariantCulture),
            ["client processes"] = _processes.ToString(CultureInfo.InvariantCulture),
            ["topics"] = _topics.ToString(CultureInfo.InvariantCulture),
        });
        result.Add("connections open", open, "", "higher");
        result.Add("RSS per connection", open == 0 ? 0 : (after - before) / 1024.0 / open, "KiB", "lower");
        result.Add("server RSS before", before / 1048576.0, "MiB", "lower");
        result.Add("server RSS with connections", after / 1048576.0, "MiB", "lower");
        result.Add("server RSS after close", afterClose / 1048576.0, "MiB", "lower");
        result.Notes.Add("RSS also holds garbage not yet collected and pages the allocator keeps; it is what the machine pays.");
        if (group.LastError is { } error)
            result.Notes.Add($"Last subscriber error: {error}");
        return result;
    }

    /// <summary><c>idle-child</c>: opens its share, prints <c>READY n</c>, holds the connections until stdin says stop or closes.</summary>
    public static async Task<int> RunChildAsync(BenchArgs args, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        var run = new RunSettings(args);
        var topics = Enumerable.Range(0, args.Whole("topics", 1)).Select(i => run.Topic("idle", i)).ToList();
        var group = new SubscriberGroup(run.Target, run.Client, topics, args.Whole("connections", 0), new LatencySink());
        try
        {
            await group.ConnectAsync(TimeSpan.FromSeconds(90), stop);
            Console.WriteLine($"READY {group.ReadyCount}");
            await Console.In.ReadLineAsync(stop);
        }
        finally
        {
            await group.StopAsync();
        }
        return 0;
    }

    /// <summary>A copy of this tool holding part of the connections; stopped by closing its stdin, killed if it does not exit.</summary>
    private sealed class ChildProcess(Process process)
    {
        private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Ready => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : 0;

        public static ChildProcess Start(BenchArgs args, string runId, int connections)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            // Run as "dotnet Hub.Bench.dll": the child needs the dll too.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var a in new[] { "idle-child", "--target", args.Text("target", "hub"), "--run-id", runId, "--connections", connections.ToString(CultureInfo.InvariantCulture), "--topics", args.Whole("topics", 1).ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(a);
            if (args.OptionalString("targets") is { } targets)
            {
                start.ArgumentList.Add("--targets");
                start.ArgumentList.Add(targets);
            }
            if (args.OptionalString("url") is { } url)
            {
                start.ArgumentList.Add("--url");
                start.ArgumentList.Add(url);
            }
            var child = new ChildProcess(Process.Start(start)!);
            _ = child.ReadOutputAsync();
            return child;
        }

        public Task<int> WaitReadyAsync(TimeSpan timeout, CancellationToken stop) => _ready.Task.WaitAsync(timeout, stop);

        public async Task StopAsync()
        {
            process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }

        private async Task ReadOutputAsync()
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("READY ", StringComparison.Ordinal))
                    _ready.TrySetResult(int.Parse(line[6..], CultureInfo.InvariantCulture));
            }
            _ready.TrySetException(new InvalidOperationException("The idle child process exited before it was ready."));
        }
    }
}
