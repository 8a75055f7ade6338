using System.Numerics;

namespace Hub.Grains.Buffers;

/// <summary>
/// Bytes for a history of events, handed out as slices of a few shared arrays instead of one array (or
/// string) per event. A retained event then costs the garbage collector nothing of its own: it has no
/// object to mark, promote and copy from generation to generation, and a busy topic's history is a
/// handful of arrays whatever its length. (With an object or two per event, a history of streamed
/// chunks was most of what every collection promoted: see docs/performance.md, "Eleventh pass".)
/// <para>
/// Append-only, never reused: a slice stays valid for as long as anyone holds it (a replay being
/// written while the history moved on), and an array is freed by the GC once no slice of it is held.
/// Each new array is sized to the history it serves (half the bytes still held, a power of two between
/// <see cref="MinChunk"/> and <see cref="MaxChunk"/>), so a quiet topic holds a small one and a busy
/// one wastes at most about half its history in dropped slices that share an array with live ones.
/// Not thread-safe; the history that owns it guards it.
/// </para>
/// </summary>
public sealed class ByteSlab
{
    public const int MinChunk = 256;

    /// <summary>Below the large object heap's threshold (85,000 bytes): a new array is a cheap gen0 allocation.</summary>
    public const int MaxChunk = 64 * 1024;

    private byte[]? _chunk;
    private int _used;

    /// <summary>
    /// A slice of <paramref name="length"/> fresh bytes for the caller to fill (once, before sharing it).
    /// <paramref name="held"/> is how many bytes the owner's history holds now: it sizes a new array.
    /// An event larger than <see cref="MaxChunk"/> gets an array of its own.
    /// </summary>
    public Memory<byte> Allocate(int length, long held)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_chunk is null || _chunk.Length - _used < length)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkSize(length, held));
            _used = 0;
        }
        var slice = new Memory<byte>(_chunk, _used, length);
        _used += length;
        return slice;
    }

    /// <summary>Half the bytes held, as a power of two from <see cref="MinChunk"/> to <see cref="MaxChunk"/>; an event larger than that, exactly its length.</summary>
    private static int ChunkSize(int length, long held)
    {
        if (length > MaxChunk)
            return length;
        var wanted = (int)Math.Max(length, Math.Min(held / 2, MaxChunk));
        return Math.Max(MinChunk, (int)BitOperations.RoundUpToPowerOf2((uint)wanted));
    }

    /// <summary>Lets go of the current array (the history was cleared): the next allocation starts a small one.</summary>
    public void Release()
    {
        _chunk = null;
        _used = 0;
    }
}
