using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Sse;

/// <summary>How SSE connections behave (section <c>Hub:Sse</c>).</summary>
public sealed class SseOptions
{
    public const string Section = "Hub:Sse";

    /// <summary>The <c>retry:</c> the browser waits before reconnecting, in milliseconds. Default 2,000.</summary>
    [Range(0, 600_000)]
    public int RetryMilliseconds { get; set; } = 2_000;

    /// <summary>
    /// A <c>: keep-alive</c> comment is sent after this much silence. Default 15 s, which stays under the
    /// 30–60 s idle timeouts common in proxies and load balancers.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events read from the log per request while replaying history to a resuming client. Default 500.</summary>
    [Range(1, 10_000)]
    public int ReplayPageSize { get; set; } = 500;
}
