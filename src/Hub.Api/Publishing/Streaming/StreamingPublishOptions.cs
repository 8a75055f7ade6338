using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// Limits on a streamed publish (section <c>Hub:Publish:Streaming</c>): a <c>POST /topics/{topic}/events</c>
/// whose body is <c>text/event-stream</c> or <c>application/x-ndjson</c>, read and published as it arrives.
/// <c>Hub:Publish:MaxBodyBytes</c> does not apply to such a body; <see cref="MaxBytes"/> does. Every limit ends
/// the request with a problem that reports what was stored before it (see docs/streaming.md).
/// </summary>
public sealed class StreamingPublishOptions
{
    public const string Section = "Hub:Publish:Streaming";

    /// <summary>Most events one streamed publish may store. Default 100,000.</summary>
    [Range(1, 100_000_000)]
    public int MaxEvents { get; set; } = 100_000;

    /// <summary>
    /// Most body bytes one streamed publish may send (SSE comments and fields included). Default
    /// 16,777,216 (16 MiB). It also bounds the memory one unterminated line can take.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long MaxBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Longest silence from the publisher: no byte (an SSE comment counts, so an upstream's keep-alive
    /// keeps the stream open) for this long ends the request with 408. Default 60 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest a streamed publish may last from its first byte; past it the request ends with 408. Default 30 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "7.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// An SSE event whose data is exactly this text ends the stream (OpenAI-compatible APIs send
    /// <c>data: [DONE]</c> last); it is not stored, and the request is answered at once. Empty: no
    /// sentinel, the stream ends when the body does. Default <c>[DONE]</c>.
    /// </summary>
    public string DoneSentinel { get; set; } = "[DONE]";
}
