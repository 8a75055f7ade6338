using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.Publishing;

/// <summary>Limits on what may be published (section <c>Hub:Publish</c>), enforced by API nodes and topic grains alike.</summary>
public sealed class PublishOptions
{
    public const string Section = "Hub:Publish";

    /// <summary>Largest event data in UTF-8 bytes. Default 65,536 (64 KiB).</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxDataBytes { get; set; } = 64 * 1024;

    /// <summary>Most events in one batch publish (a JSON array body). Default 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxBatchEvents { get; set; } = 1_000;

    /// <summary>
    /// Most events a topic grain writes to the log in one append when publishes queue up (group commit).
    /// Default 512.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxGroupCommitEvents { get; set; } = 512;
}
