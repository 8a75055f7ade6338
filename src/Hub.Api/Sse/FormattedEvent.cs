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
    /// The id line of a one-topic subscription, whose cursor depends on this event alone: made once and
    /// shared by every such connection (a benign race at most makes it twice). Multi-topic connections
    /// write their id line straight into their response instead (<see cref="SseFormat.WriteIdLine"/>).
    /// </summary>
    public byte[] SingleTopicIdLine(TopicSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return _singleTopicIdLine ??= SseFormat.IdLine(set, [new TopicPosition(Event.Epoch, Event.Sequence)]);
    }
}
