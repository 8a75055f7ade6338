using Hub.Api.Cursors;
using Hub.Grains.Contracts;

namespace Hub.Api.Sse;

/// <summary>
/// An event turned into SSE bytes once per node and shared by every connection that receives it. Only
/// the <c>id:</c> line differs between connections (it carries each subscription's whole cursor); for
/// single-topic subscriptions, by far the common case, that line is the same for all of them and is
/// cached here too.
/// </summary>
public sealed class FormattedEvent
{
    private byte[]? _singleTopicIdLine;

    public FormattedEvent(TopicEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Event = @event;
        Body = SseFormat.EventBody(@event.Type, @event.Data);
    }

    public TopicEvent Event { get; }

    /// <summary>The <c>event:</c> and <c>data:</c> lines and the blank line that ends the event.</summary>
    public byte[] Body { get; }

    /// <summary>
    /// The id line for a subscription whose positions include this event. A one-topic subscription's
    /// cursor depends on this event alone, so that line is made once and shared (a benign race at most
    /// makes it twice).
    /// </summary>
    public byte[] IdLineFor(TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.Count == 1)
            return _singleTopicIdLine ??= SseFormat.IdLine(Cursor.Encode(set, positions));
        return SseFormat.IdLine(Cursor.Encode(set, positions));
    }
}
