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
    /// Most SSE connections open at once from one client IP address; one more is answered 429. 0 means
    /// no limit. Default 100. Behind a proxy every client shares the proxy's address unless forwarded
    /// headers are configured.
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
}
