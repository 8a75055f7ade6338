using Hub.Api.Cursors;
using Hub.Grains.Contracts;

namespace Hub.Api.Publishing;

/// <summary>
/// What publishing to one topic needs that does not change between requests. The one-topic set
/// carries the cursor's fingerprint, so the cursor of each new event is one encode into one string.
/// </summary>
public sealed record PublishTarget(ITopicGrain Grain, string Location, TopicSet Set)
{
    /// <summary>The single-topic cursor (SSE <c>id:</c>) of a stored event.</summary>
    public string Id(PublishResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Cursor.Encode(Set, [new TopicPosition(result.Epoch, result.Sequence)]);
    }
}
