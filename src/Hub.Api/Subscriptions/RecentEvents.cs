using Hub.Api.Sse;

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
/// </summary>
internal sealed class RecentEvents(int capacity, long maxBytes)
{
    private readonly FormattedEvent?[] _ring = new FormattedEvent?[Math.Max(capacity, 1)];
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
    public void Add(FormattedEvent formatted) => Add(formatted, formatted.Event.Sequence - 1);

    /// <summary>
    /// Appends the feed's next event; <paramref name="previous"/> is the position from which the feed
    /// knows it missed nothing up to this event. When that is past what the window vouches for (or the
    /// epoch changed), the window starts again there.
    /// </summary>
    public void Add(FormattedEvent formatted, long previous)
    {
        var e = formatted.Event;
        if (e.Epoch != _epoch || previous > _through)
            Restart(e.Epoch, previous);
        _through = e.Sequence;
        if (capacity <= 0)
        {
            _servesAfter = e.Sequence;
            return;
        }
        while (_count > 0 && (_count == _ring.Length || _bytes + formatted.Body.Length > maxBytes))
            DropOldest();
        _ring[(_start + _count) % _ring.Length] = formatted;
        _count++;
        _bytes += formatted.Body.Length;
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
        Array.Clear(_ring);
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
        if (first < _count && At(first).Event.Time < notBefore)
            return false;
        for (var k = first; k < _count; k++)
            into.Add(At(k));
        return true;
    }

    private FormattedEvent At(int k) => _ring[(_start + k) % _ring.Length]!;

    /// <summary>The index of the first held event after <paramref name="sequence"/> (<see cref="Count"/> when none): a binary search, as a channel's sequences have holes.</summary>
    private int FirstAfter(long sequence)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (At(middle).Event.Sequence <= sequence)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    private void DropOldest()
    {
        _servesAfter = _ring[_start]!.Event.Sequence;
        _bytes -= _ring[_start]!.Body.Length;
        _ring[_start] = null;
        _start = (_start + 1) % _ring.Length;
        _count--;
    }
}
