using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Subscriptions;

/// <summary>How an API node lets go of its SSE clients (section <c>Hub:Drain</c>).</summary>
public sealed class DrainOptions
{
    public const string Section = "Hub:Drain";

    /// <summary>
    /// On SIGTERM the node closes its connections spread evenly over this window (each told to come
    /// back with a jittered <c>retry:</c>), so they reconnect to other nodes gradually instead of in one
    /// storm. Shutdown waits for it. Default 10 s; zero closes all at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections older than this are ended the same way (with ±10 % jitter), which rebalances clients
    /// across nodes after a scale-out. Null (default): no limit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan? MaxConnectionLifetime { get; set; }
}
