using Hub.Api.Sse;
using Hub.Grains.Buffers;
using Hub.Grains.Contracts;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The newest events a feed delivered, already formatted, bounded by count and by bytes. A client that
/// resumes within this window is served from node memory: no log read, no grain call, and the same
/// shared bytes the live path wrote. Not thread-safe; the owning feed locks around it.
/// <para>
/// The window vouches for a range of positions, (<see cref="ServesAfter"/>, its newest position]: it
/// holds every event of its feed in that range. For a topic's feed the events are consecutive; a
/// channel's feed holds only the channel's events, so positions between them are simply empty.
/// </para>
/// <para>
/// It keeps bytes, not objects: each event's body is formatted straight into a <see cref="ByteSlab"/>
/// (the live path shares that slice with every connection), and what is held per event is the slice,
/// its sequence and its time in an array of structs. A busy topic's window is then a few arrays the
/// collector promotes once, not two or three objects per event promoted event by event. An event served
/// again is a new, short-lived <see cref="FormattedEvent"/> over the same bytes. Where the feed's readers
/// need the stored event itself (<paramref name="keepEvents"/>: Mercure decodes its updates from the data),
/// the window keeps those too.
/// </para>
/// </summary>
internal sealed class RecentEvents(int capacity, long maxBytes, bool keepEvents = false)
{
    // The array starts small and doubles up to the capacity: a quiet topic's window costs little.
    private const int FirstSize = 8;

    // Event is set only where the window keeps events (keepEvents), else null.
    private readonly record struct Held(ReadOnlyMemory<byte> Body, long Sequence, long UtcTicks, TopicEvent? Event);

    private readonly int _capacity = Math.Max(capacity, 1);
    private readonly ByteSlab _slab = new();
    private Held[] _ring = [];
    private int _start;
    private int _count;
    private long _bytes;
    private string? _epoch;
    private long _servesAfter;
    private long _through;

    public int Count => _count;

    /// <summary>The position after which the window holds every event of its feed (meaningful once it vouches for an epoch).</summary>
    public long ServesAfter => _servesAfter;

    /// <summary>Appends the next event of a topic's feed: consecutive to the last one, or the window starts again at it.</summary>
    public FormattedEvent Add(TopicEvent e) => Add(e, (e ?? throw new ArgumentNullException(nameof(e))).Sequence - 1);

    /// <summary>
    /// Formats and appends the feed's next event, and answers it formatted for the live path;
    /// <paramref name="previous"/> is the position from which the feed knows it missed nothing up to this
    /// event. When that is past what the window vouches for (or the epoch changed), the window starts
    /// again there.
    /// </summary>
    public FormattedEvent Add(TopicEvent e, long previous)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Epoch != _epoch || previous > _through)
            Restart(e.Epoch, previous);
        _through = e.Sequence;
        var length = SseFormat.EventBodyLength(e.Type, e.Data);
        while (_count > 0 && (_count == _capacity || _bytes + length > maxBytes))
            DropOldest();
        if (_count == _ring.Length)
            Grow();
        var body = _slab.Allocate(length, _bytes);
        SseFormat.WriteEventBody(body.Span, e.Type, e.Data);
        _ring[(_start + _count) % _ring.Length] = new Held(body, e.Sequence, e.Time.UtcTicks, keepEvents ? e : null);
        _count++;
        _bytes += length;
        return new FormattedEvent(e, body);
    }

    /// <summary>A channel's feed learned that nothing of its channel lies up to <paramref name="through"/>.</summary>
    public void Advance(long through) => _through = Math.Max(_through, through);

    /// <summary>Holds nothing and vouches for what follows <paramref name="position"/> of <paramref name="epoch"/>.</summary>
    public void Restart(string epoch, long position)
    {
        Clear();
        _epoch = epoch;
        _servesAfter = _through = position;
    }

    /// <summary>Holds nothing and vouches for nothing.</summary>
    public void Clear()
    {
        _ring = [];
        _slab.Release();
        _start = _count = 0;
        _bytes = 0;
        _epoch = null;
    }

    /// <summary>
    /// Copies every remembered event after <paramref name="afterSequence"/> of <paramref name="epoch"/>;
    /// false when the window does not reach back to that position (or is past it), or the first event to
    /// copy is older than <paramref name="notBefore"/> (the log's age retention: the node never serves
    /// history that the log itself would have answered with a reset).
    /// </summary>
    public bool TryCopyAfter(string epoch, long afterSequence, List<FormattedEvent> into, DateTimeOffset notBefore = default)
    {
        if (_epoch != epoch || afterSequence < _servesAfter || afterSequence > _through)
            return false;
        var first = FirstAfter(afterSequence);
        if (first < _count && At(first).UtcTicks < notBefore.UtcTicks)
            return false;
        for (var k = first; k < _count; k++)
        {
            ref readonly var held = ref At(k);
            into.Add(new FormattedEvent(epoch, held.Sequence, new DateTimeOffset(held.UtcTicks, TimeSpan.Zero), held.Body, held.Event));
        }
        return true;
    }

    private ref readonly Held At(int k) => ref _ring[(_start + k) % _ring.Length];

    /// <summary>The index of the first held event after <paramref name="sequence"/> (<see cref="Count"/> when none): a binary search, as a channel's sequences have holes.</summary>
    private int FirstAfter(long sequence)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (At(middle).Sequence <= sequence)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    private void Grow()
    {
        var size = Math.Min(_capacity, Math.Max(FirstSize, _ring.Length * 2));
        var ring = new Held[size];
        for (var k = 0; k < _count; k++)
            ring[k] = At(k);
        _ring = ring;
        _start = 0;
    }

    private void DropOldest()
    {
        _servesAfter = _ring[_start].Sequence;
        _bytes -= _ring[_start].Body.Length;
        _ring[_start] = default;
        _start = (_start + 1) % _ring.Length;
        _count--;
    }
}
