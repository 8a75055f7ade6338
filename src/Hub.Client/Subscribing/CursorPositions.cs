using System.Globalization;
using System.Text;

namespace Hub.Client.Subscribing;

/// <summary>
/// Reads and writes the hub's cursor, <c>{fingerprint}.{epoch}:{seq}-{seq}-…</c> (docs/http-api.md): one
/// position per topic in ordinal order, sequences in base 36, an epoch left out when it repeats the previous
/// one. The hub's events carry no topic field: each event moves exactly one topic's position, and that is its topic.
/// </summary>
internal static class CursorPositions
{
    public readonly record struct Position(string Epoch, long Sequence);

    public static Position[]? Decode(string? cursor, int count)
    {
        if (string.IsNullOrEmpty(cursor))
            return null;
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
            return null;
        var parts = cursor[(dot + 1)..].Split('-');
        if (parts.Length != count)
            return null;
        string? epoch = null;
        var positions = new Position[count];
        for (var i = 0; i < parts.Length; i++)
        {
            var colon = parts[i].IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
                epoch = parts[i][..colon];
            var digits = parts[i][(colon + 1)..];
            if (string.IsNullOrEmpty(epoch) || !TryParseBase36(digits, out var sequence))
                return null;
            positions[i] = new Position(epoch, sequence);
        }
        return positions;
    }

    public static string Encode(IReadOnlyList<string> topics, IReadOnlyList<Position> positions)
    {
        var text = new StringBuilder(Fingerprint(topics)).Append('.');
        for (var i = 0; i < positions.Count; i++)
        {
            if (i > 0)
                text.Append('-');
            if (i == 0 || positions[i].Epoch != positions[i - 1].Epoch)
                text.Append(positions[i].Epoch).Append(':');
            text.Append(ToBase36(Math.Max(0, positions[i].Sequence)));
        }
        return text.ToString();
    }

    /// <summary>
    /// The index of the one topic whose position moved, or -1 when none or several did. A one-topic
    /// subscription's event is always its topic's (a rewind may repeat the position the client guessed).
    /// Several move when the hub moved a topic without an event of its own (past a state's unkeyed events),
    /// in an id-only block that an SSE parser does not surface: then the topic is left unknown, not guessed.
    /// </summary>
    public static int Moved(Position[]? before, Position[]? after)
    {
        if (after is null)
            return -1;
        if (after.Length == 1)
            return 0;
        if (before is null)
            return -1;
        var moved = -1;
        for (var i = 0; i < after.Length; i++)
        {
            if (after[i] == before[i])
                continue;
            if (moved >= 0)
                return -1;
            moved = i;
        }
        return moved;
    }

    /// <summary>FNV-1a (32 bit) over each topic's UTF-8 bytes and a newline, in base 36: the hub's TopicSet.Fingerprint.</summary>
    private static string Fingerprint(IReadOnlyList<string> topics)
    {
        var hash = 0x811c9dc5u;
        foreach (var topic in topics)
        {
            foreach (var b in Encoding.UTF8.GetBytes(topic))
                hash = (hash ^ b) * 0x01000193u;
            hash = (hash ^ 0x0a) * 0x01000193u;
        }
        return ToBase36(hash);
    }

    private static string ToBase36(long value)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        if (value == 0)
            return "0";
        var text = new StringBuilder();
        for (; value > 0; value /= 36)
            text.Insert(0, digits[(int)(value % 36)]);
        return text.ToString();
    }

    private static bool TryParseBase36(string digits, out long value)
    {
        value = 0;
        if (digits.Length is 0 or > 12)
            return false;
        foreach (var c in digits)
        {
            var d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'z' ? c - 'a' + 10 : -1;
            if (d < 0)
                return false;
            value = (value * 36) + d;
        }
        return true;
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
