// A console publisher and subscriber for Hub, on the .NET client (docs/client.md).
//   dotnet run --project src/Hub.Api                                   # a hub on http://localhost:5000
//   dotnet run --project samples/Hub.Client.Sample -- [hubUrl] [topic] [count]
// Optional: HUB_TOKEN (a bearer token, see docs/security.md) is sent with every request.
using Hub.Client;
using Hub.Client.Subscribing;

var hub = new Uri(args.Length > 0 ? args[0] : "http://localhost:5000/");
var topic = args.Length > 1 ? args[1] : "sample";
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;

using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
var client = new HubClient(http, new HubClientOptions
{
    BaseAddress = hub,
    // Asked again before every request and every reconnect: return a fresh token when yours expire.
    TokenProvider = _ => ValueTask.FromResult(Environment.GetEnvironmentVariable("HUB_TOKEN")),
});

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// Subscribe first, from "now": it reconnects by itself and resumes exactly after the last event received.
var subscription = client.SubscribeAsync(topic, SubscribeFrom.Live, stop.Token);
var received = 0;
var reading = Task.Run(async () =>
{
    await foreach (var e in subscription)
    {
        if (e is HubResetEvent reset)
        {
            Console.WriteLine($"reset {reset.Topic}: {reset.Reason}, continuing from {reset.ResumedFrom}");
            continue;
        }
        Console.WriteLine($"received {e.Topic} #{e.Sequence} {e.Type}: {e.Data}");
        if (Interlocked.Increment(ref received) == count)
            await stop.CancelAsync(); // a real consumer would keep going and persist subscription.Cursor
    }
});

for (var i = 1; i <= count && !stop.IsCancellationRequested; i++)
{
    // Retried on 503/429 and connection failures with one Idempotency-Key: stored once.
    var result = await client.PublishAsync(topic, "tick", new { Number = i, At = DateTimeOffset.UtcNow }, cancellationToken: stop.Token);
    Console.WriteLine($"published {result.Topic} #{result.Sequence}");
}

await reading;
Console.WriteLine($"done; resume later with SubscribeFrom.After(\"{subscription.Cursor}\")");
