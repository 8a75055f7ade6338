using System.Text;
using Hub.Grains.Buffers;
using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// A topic's retained events, oldest first, in a circular buffer: appending and dropping the oldest are
/// O(1), and a dropped event is released at once. (A list trimmed by an offset kept up to as many dead
/// events again as it retained, each one more object every collection had to trace and promote.)
/// Grows by doubling and halves when a quarter full, so a topic whose retention shrank gives memory back.
/// <para>
/// An event is kept as its time and one slice of a <see cref="ByteSlab"/> (type, key and data in UTF-8),
/// not as an object: the topic, epoch and sequence are the log's own, and a read makes the
/// <see cref="TopicEvent"/> again. Events are valid Unicode (<see cref="EventRules"/>), so the round trip
/// through UTF-8 is exact. Not thread-safe; its topic log's lock guards it.
/// </para>
/// </summary>
internal sealed class EventRing
{
    private const int MinCapacity = 8;

    private readonly record struct Stored(Memory<byte> Payload, long UtcTicks);

    private Stored[] _slots = new Stored[MinCapacity];
    private int _first;
    private long _bytes;
    private readonly ByteSlab _slab = new();

    // The type read last, to answer a run of the same type with one string (most topics use one or two).
    private byte[] _lastTypeBytes = "message"u8.ToArray();
    private string _lastType = "message";

    public int Count { get; private set; }

    /// <summary>When the <paramref name="index"/>-th retained event (0 being the oldest) was stored.</summary>
    public DateTimeOffset TimeAt(int index) => new(At(index).UtcTicks, TimeSpan.Zero);

    public void Add(TopicEvent e)
    {
        if (Count == _slots.Length)
            Resize(_slots.Length * 2);
        var key = e.Key;
        var typeBytes = Encoding.UTF8.GetByteCount(e.Type);
        var keyBytes = key is null ? 0 : Encoding.UTF8.GetByteCount(key);
        var keyField = key is null ? 0 : keyBytes + 1; // 0 says "no key", so an empty key stays one
        var length = VarInt.Size(typeBytes) + typeBytes + VarInt.Size(keyField) + keyBytes + Encoding.UTF8.GetByteCount(e.Data);
        var payload = _slab.Allocate(length, _bytes);
        var span = payload.Span;
        var at = VarInt.Write(span, typeBytes);
        at += Encoding.UTF8.GetBytes(e.Type, span[at..]);
        at += VarInt.Write(span[at..], keyField);
        if (key is not null)
            at += Encoding.UTF8.GetBytes(key, span[at..]);
        Encoding.UTF8.GetBytes(e.Data, span[at..]);
        _slots[(_first + Count) & (_slots.Length - 1)] = new Stored(payload, e.Time.UtcTicks);
        _bytes += length;
        Count++;
    }

    /// <summary>Drops the <paramref name="count"/> oldest events (at most all of them).</summary>
    public void DropOldest(int count)
    {
        count = Math.Min(count, Count);
        for (var k = 0; k < count; k++)
        {
            _bytes -= _slots[_first].Payload.Length;
            _slots[_first] = default;
            _first = (_first + 1) & (_slots.Length - 1);
        }
        Count -= count;
        if (Count == 0)
            _slab.Release();
        if (_slots.Length > MinCapacity && Count <= _slots.Length / 4)
            Resize(_slots.Length / 2);
    }

    /// <summary>
    /// The events from the <paramref name="start"/>-th oldest, <paramref name="count"/> of them, made
    /// again for <paramref name="topic"/> in <paramref name="epoch"/>; <paramref name="oldest"/> is the
    /// sequence of the oldest retained event.
    /// </summary>
    public List<TopicEvent> CopyRange(string topic, string epoch, long oldest, int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count - start);
        var copy = new List<TopicEvent>(count);
        for (var k = start; k < start + count; k++)
        {
            var stored = At(k);
            var span = stored.Payload.Span;
            var at = VarInt.Read(span, out var typeLength);
            var type = Type(span.Slice(at, typeLength));
            at += typeLength;
            at += VarInt.Read(span[at..], out var keyLength);
            string? key = null;
            if (keyLength > 0)
            {
                key = Encoding.UTF8.GetString(span.Slice(at, keyLength - 1));
                at += keyLength - 1;
            }
            copy.Add(new TopicEvent(topic, epoch, oldest + k, type, Encoding.UTF8.GetString(span[at..]), new DateTimeOffset(stored.UtcTicks, TimeSpan.Zero), key));
        }
        return copy;
    }

    private string Type(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.SequenceEqual(_lastTypeBytes))
        {
            _lastTypeBytes = bytes.ToArray();
            _lastType = Encoding.UTF8.GetString(bytes);
        }
        return _lastType;
    }

    private ref readonly Stored At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return ref _slots[(_first + index) & (_slots.Length - 1)];
    }

    // Capacities stay powers of two, so a position wraps with a mask.
    private void Resize(int capacity)
    {
        var slots = new Stored[capacity];
        for (var k = 0; k < Count; k++)
            slots[k] = _slots[(_first + k) & (_slots.Length - 1)];
        _slots = slots;
        _first = 0;
    }
}
