using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// A topic's retained events, oldest first, in a circular buffer: appending and dropping the oldest are
/// O(1), and a dropped event is released at once. (A list trimmed by an offset kept up to as many dead
/// events again as it retained, each one more object every collection had to trace and promote.)
/// Grows by doubling and halves when a quarter full, so a topic whose retention shrank gives memory back.
/// Not thread-safe; its topic log's lock guards it.
/// </summary>
internal sealed class EventRing
{
    private const int MinCapacity = 8;

    private TopicEvent?[] _slots = new TopicEvent?[MinCapacity];
    private int _first;

    public int Count { get; private set; }

    /// <summary>The <paramref name="index"/>-th retained event, 0 being the oldest.</summary>
    public TopicEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _slots[(_first + index) & (_slots.Length - 1)]!;
        }
    }

    public void Add(TopicEvent e)
    {
        if (Count == _slots.Length)
            Resize(_slots.Length * 2);
        _slots[(_first + Count) & (_slots.Length - 1)] = e;
        Count++;
    }

    /// <summary>Drops the <paramref name="count"/> oldest events (at most all of them).</summary>
    public void DropOldest(int count)
    {
        count = Math.Min(count, Count);
        for (var k = 0; k < count; k++)
        {
            _slots[_first] = null;
            _first = (_first + 1) & (_slots.Length - 1);
        }
        Count -= count;
        if (_slots.Length > MinCapacity && Count <= _slots.Length / 4)
            Resize(_slots.Length / 2);
    }

    /// <summary>A copy of <paramref name="count"/> events from the <paramref name="start"/>-th oldest.</summary>
    public List<TopicEvent> CopyRange(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count - start);
        var copy = new List<TopicEvent>(count);
        for (var k = 0; k < count; k++)
            copy.Add(this[start + k]);
        return copy;
    }

    // Capacities stay powers of two, so a position wraps with a mask.
    private void Resize(int capacity)
    {
        var slots = new TopicEvent?[capacity];
        for (var k = 0; k < Count; k++)
            slots[k] = _slots[(_first + k) & (_slots.Length - 1)];
        _slots = slots;
        _first = 0;
    }
}
