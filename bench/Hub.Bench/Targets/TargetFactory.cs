using Hub.Bench.Cli;

namespace Hub.Bench.Targets;

/// <summary>Builds the target from <c>--target hub|mercure|nchan</c> and <c>--targets url1,url2</c>.</summary>
public static class TargetFactory
{
    public static IHubTarget Create(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var kind = args.Text("target", "hub");
        var urls = args.List("targets");
        if (urls.Count == 0)
            urls = [args.Text("url", "http://127.0.0.1:5000")];
        // A base URI without a trailing slash would make relative paths replace its last segment.
        var nodes = urls.Select(u => new Uri(u.EndsWith('/') ? u : u + "/")).ToArray();
        return kind switch
        {
            "hub" => new HubTarget(nodes),
            "nchan" => new NchanTarget(nodes),
            "mercure" => new MercureTarget(nodes),
            _ => throw new ArgumentException($"Unknown --target '{kind}': use hub, mercure or nchan."),
        };
    }
}
