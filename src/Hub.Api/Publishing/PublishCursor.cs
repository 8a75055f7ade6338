using System.Text;
using Hub.Api.Cursors;
using Hub.Grains.Contracts;

namespace Hub.Api.Publishing;

/// <summary>
/// The single-topic cursor a publisher gets back, written straight into one string. Byte for byte what
/// <see cref="Cursor.Encode"/> gives for <c>TopicSet.Of([topic])</c> (<c>{fingerprint}.{epoch}:{sequence}</c>),
/// without the set, its sorted array, the UTF-8 copy of the name and the builder that the general encoder
/// needs for many topics: on the publish path those were about a tenth of the bytes allocated per request.
/// </summary>
public static class PublishCursor
{
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";


    public static string Encode(string topic, string epoch, long sequence)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(epoch);
        // Names the edge has not validated take the general path; valid ones fit the stack buffer below.
        if (topic.Length > EventRules.MaxTopicLength)
            return Cursor.Encode(TopicSet.Of([topic]), [new TopicPosition(epoch, sequence)]);

        var fingerprint = Fingerprint(topic);
        var length = Base36Length(fingerprint) + 1 + epoch.Length + 1 + Base36Length((ulong)sequence);
        return string.Create(length, (fingerprint, epoch, sequence), static (span, state) =>
        {
            var written = WriteBase36(state.fingerprint, span);
            span[written++] = '.';
            state.epoch.AsSpan().CopyTo(span[written..]);
            written += state.epoch.Length;
            span[written++] = ':';
            WriteBase36((ulong)state.sequence, span[written..]);
        });
    }

    /// <summary>
    /// <see cref="TopicSet.Fingerprint"/> of a one-topic set: FNV-1a (32 bit) over the name's UTF-8
    /// bytes followed by a line feed.
    /// </summary>
    private static uint Fingerprint(string topic)
    {
        Span<byte> utf8 = stackalloc byte[EventRules.MaxTopicLength * 3];
        var count = Encoding.UTF8.GetBytes(topic, utf8);
        var hash = 2166136261u;
        foreach (var b in utf8[..count])
            hash = (hash ^ b) * 16777619u;
        return (hash ^ '\n') * 16777619u;
    }

    private static int Base36Length(ulong value)
    {
        var length = 1;
        while ((value /= 36) > 0)
            length++;
        return length;
    }

    /// <summary>Writes <paramref name="value"/> in lower-case base 36 at the start of <paramref name="destination"/>; returns the digit count.</summary>
    private static int WriteBase36(ulong value, Span<char> destination)
    {
        var length = Base36Length(value);
        for (var i = length - 1; i >= 0; i--)
        {
            destination[i] = Digits[(int)(value % 36)];
            value /= 36;
        }
        return length;
    }
}
