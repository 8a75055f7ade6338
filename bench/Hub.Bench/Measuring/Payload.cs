using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;

namespace Hub.Bench.Measuring;

/// <summary>
/// The event data every benchmark publishes: <c>"{publisher} {sequence} {timestamp}"</c>, padded with
/// <c>.</c> to the requested size. The sequence is per publisher (each publisher waits for one publish to
/// be acknowledged before the next), so per-publisher order is the order the hub must keep, whatever ids
/// the hub itself sends. The timestamp is <see cref="Stopwatch.GetTimestamp"/> (monotonic, shared by all
/// processes of the machine) taken just before the publish is sent.
/// </summary>
public static class Payload
{
    public static string Format(int publisher, long sequence, long timestamp, int size)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{publisher} {sequence} {timestamp}");
        return text.Length >= size ? text : text + new string('.', size - text.Length - 1).Insert(0, " ");
    }

    /// <summary>Reads the three numbers from a <c>data:</c> value; false for anything else (a hub's own events).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out int publisher, out long sequence, out long timestamp)
    {
        publisher = 0;
        sequence = 0;
        timestamp = 0;
        if (!Utf8Parser.TryParse(data, out int p, out var used) || used >= data.Length || data[used] != (byte)' ')
            return false;
        data = data[(used + 1)..];
        if (!Utf8Parser.TryParse(data, out long s, out used) || used >= data.Length || data[used] != (byte)' ')
            return false;
        if (!Utf8Parser.TryParse(data[(used + 1)..], out long t, out _))
            return false;
        (publisher, sequence, timestamp) = (p, s, t);
        return true;
    }

    /// <summary>Microseconds from <paramref name="timestamp"/> to now.</summary>
    public static long MicrosecondsSince(long timestamp) =>
        (long)((Stopwatch.GetTimestamp() - timestamp) * 1_000_000.0 / Stopwatch.Frequency);
}
