using Hub.Api.Cursors;
using Hub.Grains.Contracts;

namespace Hub.Api.Sse;

/// <summary>
/// An event turned into SSE bytes once per node and shared by every connection that receives it. Only
/// the <c>id:</c> line differs between connections (it carries each subscription's whole cursor); for
/// single-topic subscriptions, by far the common case, that line is the same for all of them and is
/// cached here too.
/// <para>
/// Its body may be a slice of a feed's recent events (<see cref="Subscriptions.RecentEvents"/>), which
/// keep bytes, not objects: an event served again from there is a new, short-lived instance over the
/// same bytes, and carries its <see cref="Event"/> only where the feed keeps events (the hub's internal
/// topics, whose readers decode the data: Mercure).
/// </para>
/// </summary>
public sealed class FormattedEvent
{
    private byte[]? _singleTopicIdLine;

    /// <summary>Formats <paramref name="event"/> into a body of its own.</summary>
    public FormattedEvent(TopicEvent @event)
        : this(@event, SseFormat.EventBody((@event ?? throw new ArgumentNullException(nameof(@event))).Type, @event.Data))
    {
    }

    /// <summary><paramref name="event"/> with its body already formatted (into a feed's recent events).</summary>
    public FormattedEvent(TopicEvent @event, ReadOnlyMemory<byte> body)
        : this((@event ?? throw new ArgumentNullException(nameof(@event))).Epoch, @event.Sequence, @event.Time, body, @event)
    {
    }

    public FormattedEvent(string epoch, long sequence, DateTimeOffset time, ReadOnlyMemory<byte> body, TopicEvent? @event)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        Epoch = epoch;
        Sequence = sequence;
        Time = time;
        Body = body;
        Event = @event;
    }

    public string Epoch { get; }
    public long Sequence { get; }

    /// <summary>When the log stored it.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The <c>event:</c> and <c>data:</c> lines and the blank line that ends the event.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The stored event, when at hand: always on the live path and from the log; from a feed's recent events only where it keeps them.</summary>
    public TopicEvent? Event { get; }

    /// <summary>
    /// The id line of a one-topic subscription, whose cursor depends on this event alone: made once and
    /// shared by every such connection (a benign race at most makes it twice). Multi-topic connections
    /// write their id line straight into their response instead (<see cref="SseFormat.WriteIdLine"/>).
    /// </summary>
    public byte[] SingleTopicIdLine(TopicSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return _singleTopicIdLine ??= SseFormat.IdLine(set, [new TopicPosition(Epoch, Sequence)]);
    }
}
