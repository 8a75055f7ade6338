using Hub.Bench.Cli;
using Hub.Bench.Results;
using Hub.Bench.Scenarios;

// Hub.Bench: drives an SSE hub (Hub or nchan) over HTTP and writes what it measured as JSON and Markdown.

// A load generator's reads are small (parse a line, count, record a latency): they run on the socket
// engine's threads (one per core) instead of each going through the thread pool's queue. On a machine the
// client shares with the hub, that queue's wait is latency the client would add to what it measures
// (docs/performance.md, tenth pass). The runtime reads this once, before the first socket: set it first.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
var args1 = BenchArgs.Parse(args);
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(args1.Number("max-seconds", 900)));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

switch (args1.Command)
{
    case "idle-child":
        return await IdleScenario.RunChildAsync(args1, stop.Token);
    case "report":
        return await Comparison.RunAsync(args1.Positional, args1.Text("out", "bench/results/comparison"), args1.All("note"));
}

IScenario? scenario = args1.Command switch
{
    "fanout" => new FanoutScenario(args1),
    "publish" => new PublishScenario(args1),
    "stream" => new StreamScenario(args1),
    "resume-storm" => new ResumeStormScenario(args1),
    "idle" => new IdleScenario(args1),
    "read-cost" => new ReadCostScenario(args1),
    _ => null,
};
if (scenario is null)
{
    Console.Error.WriteLine(Usage.Text);
    return args1.Command == "help" ? 0 : 2;
}
var outPrefix = args1.OptionalString("out");
if (args1.Unused().ToList() is { Count: > 0 } unknown)
{
    Console.Error.WriteLine($"Unknown option(s) for {args1.Command}: {string.Join(", ", unknown.Select(u => "--" + u))}\n\n{Usage.Text}");
    return 2;
}
var result = await scenario.RunAsync(stop.Token);
await ResultFiles.WriteAsync(result, outPrefix);
return 0;
