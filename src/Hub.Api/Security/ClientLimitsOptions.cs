using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Security;

/// <summary>
/// Limits that keep one client from crowding out the others (section <c>Hub:Limits</c>). Body sizes,
/// topics per subscription and cursor lengths have their own options in <c>Hub:Publish</c> and
/// <c>Hub:Subscriptions</c>.
/// </summary>
public sealed class ClientLimitsOptions
{
    public const string Section = "Hub:Limits";

    /// <summary>
    /// Most SSE connections and long-polls open at once from one client address (IPv4, or an IPv6 /64);
    /// one more is answered 429. 0 means no limit. Default 100. Behind a proxy every client shares the
    /// proxy's address unless the proxy is trusted (<c>Hub:Proxy</c>).
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxConnectionsPerClient { get; set; } = 100;

    /// <summary>
    /// Publish requests per second one publisher may make in the long run (a batch counts once). A
    /// publisher is its token's <c>sub</c>, else its IP address. 0 means no limit. Default 1,000.
    /// </summary>
    [Range(0, 1_000_000)]
    public int PublishRequestsPerSecond { get; set; } = 1_000;

    /// <summary>Publish requests a publisher may make at once above the steady rate. Default 2,000.</summary>
    [Range(1, 10_000_000)]
    public int PublishBurst { get; set; } = 2_000;

    /// <summary>
    /// Reads per second one client address may make in the long run: opening a subscription (SSE or
    /// Mercure), a history page or long-poll, a topic's info. Each costs the cluster a grain call or more,
    /// and a reconnecting browser makes about one every <c>Hub:Sse:RetryMilliseconds</c>. 0 means no
    /// limit. Default 50.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ReadRequestsPerSecond { get; set; } = 50;

    /// <summary>
    /// Reads a client address may make at once above the steady rate: what a page of tabs behind one NAT
    /// reconnecting together needs. Default 500.
    /// </summary>
    [Range(1, 10_000_000)]
    public int ReadBurst { get; set; } = 500;
}
