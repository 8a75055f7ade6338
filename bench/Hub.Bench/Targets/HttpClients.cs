using System.Net;

namespace Hub.Bench.Targets;

/// <summary>
/// The HTTP clients of a run. One pooled handler serves thousands of connections to one server only when
/// its per-server limit is lifted; timeouts are ours (cancellation tokens), never HttpClient's 100 s default
/// that would cut long-lived streams.
/// </summary>
public static class HttpClients
{
    public static HttpClient Create() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
