using System.Buffers;
using System.Text;

namespace Hub.Api.Cursors;

/// <summary>
/// The SSE <c>id:</c> of a subscription: the epoch and sequence of the last event delivered on every one
/// of its topics, so a browser's automatic <c>Last-Event-ID</c> resumes them all at once.
/// <para>
/// Format: <c>{fingerprint}.{position}-{position}-…</c>, one position per topic in the set's order, each
/// <c>{epoch}:{sequence}</c> with the sequence in base 36; the epoch is left out (<c>{sequence}</c> alone)
/// when it equals the previous position's, which in the common case of one epoch for many topics keeps
/// the cursor near 4 characters per topic. Only <c>[0-9a-z.:-]</c> appear: no whitespace, safe in a
/// header, a query string and an SSE field.
/// </para>
/// </summary>
public static class Cursor
{
    /// <summary>Replays all retained history of every topic.</summary>
    public const string Earliest = "earliest";

    public static string Encode(TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        var max = MaxLength(set, positions);
        var rented = max <= 512 ? null : ArrayPool<byte>.Shared.Rent(max);
        var buffer = rented ?? stackalloc byte[512];
        try
        {
            return Encoding.ASCII.GetString(buffer[..Write(buffer, set, positions)]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>An upper bound of the encoded length in bytes, for sizing the span given to <see cref="Write"/>.</summary>
    public static int MaxLength(TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        ArgumentNullException.ThrowIfNull(set);
        var max = set.Fingerprint.Length + 1;
        foreach (var position in positions)
            max += position.Epoch.Length + 2 + Base36.MaxDigits;
        return max;
    }

    /// <summary>
    /// Encodes the cursor as ASCII straight into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> bytes) and returns the bytes written: a multi-topic connection writes its
    /// id line into the response this way, with no string or array of its own per event.
    /// </summary>
    public static int Write(Span<byte> destination, TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (positions.Length != set.Count)
            throw new ArgumentException("One position per topic is needed.", nameof(positions));
        var at = Ascii(destination, set.Fingerprint);
        destination[at++] = (byte)'.';
        string? previousEpoch = null;
        for (var i = 0; i < positions.Length; i++)
        {
            if (i > 0)
                destination[at++] = (byte)'-';
            if (!string.Equals(positions[i].Epoch, previousEpoch, StringComparison.Ordinal))
            {
                at += Ascii(destination[at..], positions[i].Epoch);
                destination[at++] = (byte)':';
            }
            at += Base36.Write(destination[at..], (ulong)positions[i].Sequence);
            previousEpoch = positions[i].Epoch;
        }
        return at;
    }

    /// <summary>Fingerprints and epochs are base-36 text: one byte per character.</summary>
    private static int Ascii(Span<byte> destination, string text)
    {
        for (var i = 0; i < text.Length; i++)
            destination[i] = (byte)text[i];
        return text.Length;
    }

    /// <summary>
    /// Decodes <paramref name="cursor"/> for <paramref name="set"/>. On failure <paramref name="error"/>
    /// says what is wrong, in words fit for a 400 response.
    /// </summary>
    public static bool TryDecode(string cursor, TopicSet set, out TopicPosition[] positions, out string? error)
    {
        ArgumentNullException.ThrowIfNull(set);
        positions = [];
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
            return Fail("The cursor is malformed.", out error);
        if (!cursor.AsSpan(0, dot).SequenceEqual(set.Fingerprint))
            return Fail("The cursor belongs to a different set of topics than this subscription.", out error);

        var parts = cursor[(dot + 1)..].Split('-');
        if (parts.Length != set.Count)
            return Fail("The cursor belongs to a different set of topics than this subscription.", out error);

        var decoded = new TopicPosition[parts.Length];
        string? epoch = null;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].AsSpan();
            var colon = part.IndexOf(':');
            if (colon >= 0)
            {
                if (colon == 0 || !IsEpoch(part[..colon]))
                    return Fail("The cursor is malformed.", out error);
                epoch = part[..colon].ToString();
                part = part[(colon + 1)..];
            }
            if (epoch is null || !Base36.TryDecode(part, out var sequence))
                return Fail("The cursor is malformed.", out error);
            decoded[i] = new TopicPosition(epoch, sequence);
        }
        positions = decoded;
        error = null;
        return true;
    }

    private static readonly SearchValues<char> EpochChars = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    private static bool IsEpoch(ReadOnlySpan<char> text) => text.Length <= 32 && !text.ContainsAnyExcept(EpochChars);

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
