namespace Hub.Bench.Cli;

/// <summary>The <c>--help</c> text; defaults here match the getters in each scenario.</summary>
public static class Usage
{
    public const string Text = """
        Hub.Bench <scenario> [options]        drives an SSE hub over HTTP; results as JSON and Markdown

        Common:  --target hub|mercure|nchan (hub; mercure: Hub's /.well-known/mercure)  --targets url1,url2 (or --url, default http://127.0.0.1:5000)
                 --label NAME (the target)  --out PREFIX (writes PREFIX.json and PREFIX.md)
                 --payload-bytes 64  --max-seconds 900 (everything stops by then)

        fanout        --subscribers 200 --rate 200 (ev/s) --duration 10 (s) --warmup 2 (s) --publishers auto
                      --saturate [--step-factor 1.5 --max-p99-ms 500 --max-rate 50000; --duration is per step, 5]
        publish       --publishers 64 --topics 100 --duration 10 (s) --warmup 2 (s)
        stream        --streams 500 --chunks-per-second 50 --duration 30 (s) --warmup 10 (s)   streamed publishes (text/event-stream), one viewer each
        resume-storm  --clients 1000 --behind 100 --rate 50 (ev/s while they reconnect)
        idle          --pid PID[,PID] --connections 2000 --processes (2 above 5,000) --topics 1 --settle 5
        read-cost     --pid PID --names 100000 --concurrency 32 --settle 0 (s)   distinct never-published names read once each;
                      server RSS and managed heap (/status/data) before, after, after settling
        report        FILE.json... --out PREFIX [--note "text"]   side-by-side table with Hub/nchan ratios
        """;
}
