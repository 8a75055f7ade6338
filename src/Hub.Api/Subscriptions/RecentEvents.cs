using Hub.Api.Sse;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The newest events a feed delivered, already formatted, bounded by count and by bytes. A client that
/// resumes within this window is served from node memory: no log read, no grain call, and the same
/// shared bytes the live path wrote. Not thread-safe; the owning feed locks around it.
/// </summary>
internal sealed class RecentEvents(int capacity, long maxBytes)
{
    private readonly FormattedEvent?[] _ring = new FormattedEvent?[Math.Max(capacity, 1)];
    private int _start;
    private int _count;
    private long _bytes;

    public int Count => _count;

    /// <summary>The sequence of the oldest event held (0 when empty).</summary>
    public long OldestSequence => _count == 0 ? 0 : Oldest!.Event.Sequence;

    /// <summary>Appends the next event; the caller guarantees consecutive sequences within one epoch.</summary>
    public void Add(FormattedEvent formatted)
    {
        if (capacity <= 0)
            return;
        if (_count > 0 && (formatted.Event.Epoch != Oldest!.Event.Epoch || formatted.Event.Sequence != Oldest.Event.Sequence + _count))
            Clear();
        while (_count > 0 && (_count == _ring.Length || _bytes + formatted.Body.Length > maxBytes))
            DropOldest();
        _ring[(_start + _count) % _ring.Length] = formatted;
        _count++;
        _bytes += formatted.Body.Length;
    }

    public void Clear()
    {
        Array.Clear(_ring);
        _start = _count = 0;
        _bytes = 0;
    }

    /// <summary>
    /// Copies every remembered event after <paramref name="afterSequence"/> of <paramref name="epoch"/>;
    /// false when the window does not reach back to the event right after it, or that event is older
    /// than <paramref name="notBefore"/> (the log's age retention: the node never serves history that
    /// the log itself would have answered with a reset).
    /// </summary>
    public bool TryCopyAfter(string epoch, long afterSequence, List<FormattedEvent> into, DateTimeOffset notBefore = default)
    {
        if (_count == 0 || Oldest!.Event.Epoch != epoch)
            return false;
        var oldest = Oldest.Event.Sequence;
        var newest = oldest + _count - 1;
        if (afterSequence < oldest - 1 || afterSequence > newest)
            return false;
        if (afterSequence < newest && _ring[(_start + (int)(afterSequence + 1 - oldest)) % _ring.Length]!.Event.Time < notBefore)
            return false;
        for (var seq = afterSequence + 1; seq <= newest; seq++)
            into.Add(_ring[(_start + (int)(seq - oldest)) % _ring.Length]!);
        return true;
    }

    private FormattedEvent? Oldest => _ring[_start];

    private void DropOldest()
    {
        _bytes -= _ring[_start]!.Body.Length;
        _ring[_start] = null;
        _start = (_start + 1) % _ring.Length;
        _count--;
    }
}
