using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.Publishing;

/// <summary>Limits on what may be published (section <c>Hub:Publish</c>), enforced by API nodes and topic grains alike.</summary>
public sealed class PublishOptions : IValidatableObject
{
    public const string Section = "Hub:Publish";

    /// <summary>Largest event data in UTF-8 bytes. Default 65,536 (64 KiB).</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxDataBytes { get; set; } = 64 * 1024;

    /// <summary>Most events in one batch publish (a JSON array body). Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxBatchEvents { get; set; } = 1_000;

    /// <summary>
    /// Largest publish request body in bytes, one event or a whole batch. Default 1,048,576 (1 MiB): a
    /// full batch of 1,000 events carries up to ~1 KiB each; larger events go in smaller batches. It caps
    /// what one request costs an API node, a grain call and a stream message, whatever the event count.
    /// Must leave room for one event of <see cref="MaxDataBytes"/> plus its JSON (1 KiB).
    /// </summary>
    // At most 24 MiB: below Kestrel's own request body limit (30,000,000 bytes), which would answer first.
    [Range(2 * 1024, 24 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most events a topic grain writes to the log in one append when publishes queue up (group commit).
    /// Default 512.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxGroupCommitEvents { get; set; } = 512;

    /// <summary>
    /// Most events that may wait in one topic grain's queue while an append is in flight (a slow or
    /// stalled log). A publish that would go beyond it is refused at once (503 with Retry-After) instead
    /// of queueing for longer than its caller waits. At least <see cref="MaxBatchEvents"/>. Default 10,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedEvents { get; set; } = 10_000;

    /// <summary>
    /// How long a topic remembers a publish's <c>Idempotency-Key</c>: a retry with the same key within
    /// this time returns the original result instead of storing the event again. Default 10 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most idempotency keys a topic remembers; beyond it the oldest are forgotten before their window
    /// ends. Bounds the memory (in Redis: the topic's <c>keys</c> hash) a publisher can make a topic use.
    /// Default 10,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeysPerTopic { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxQueuedEvents < MaxBatchEvents)
            yield return new ValidationResult(
                $"Hub:Publish:MaxQueuedEvents ({MaxQueuedEvents}) must be at least Hub:Publish:MaxBatchEvents ({MaxBatchEvents}), or a full batch could never be queued.",
                [nameof(MaxQueuedEvents)]);
        if (MaxBodyBytes < MaxDataBytes + 1024L)
        {
            yield return new ValidationResult(
                $"{nameof(MaxBodyBytes)} ({MaxBodyBytes}) must be at least {nameof(MaxDataBytes)} + 1024 ({MaxDataBytes + 1024L}), so one event of the largest data fits.",
                [nameof(MaxBodyBytes)]);
        }
    }
}
