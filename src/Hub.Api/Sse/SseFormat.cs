using System.Text;
using Hub.Api.Cursors;

namespace Hub.Api.Sse;

/// <summary>
/// Server-Sent Events framing per the WHATWG HTML spec (section 9.2, "Server-sent events"). Everything
/// here produces complete UTF-8 lines; callers never concatenate raw user text onto the wire.
/// </summary>
public static class SseFormat
{
    /// <summary>A comment line that keeps proxies and browsers from timing out an idle stream.</summary>
    public static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>The <c>retry:</c> field that tells the browser how long to wait before reconnecting.</summary>
    public static byte[] Retry(int milliseconds) => Encoding.UTF8.GetBytes($"retry: {milliseconds}\n\n");

    /// <summary>An <c>id:</c> line. The cursor alphabet has no CR, LF or NUL, which the spec forbids in an id.</summary>
    public static byte[] IdLine(string cursor)
    {
        if (cursor.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            throw new ArgumentException("An SSE id may not contain CR, LF or NUL.", nameof(cursor));
        var line = new byte[5 + Encoding.UTF8.GetByteCount(cursor)];
        "id: "u8.CopyTo(line);
        Encoding.UTF8.GetBytes(cursor, line.AsSpan(4));
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The <c>id:</c> line of <paramref name="positions"/>, encoded straight into its bytes (no cursor string).</summary>
    public static byte[] IdLine(TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        var max = IdLineMaxLength(set, positions);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        return buffer[..WriteIdLine(buffer, set, positions)].ToArray();
    }

    /// <summary>An upper bound of <see cref="WriteIdLine"/>'s length.</summary>
    public static int IdLineMaxLength(TopicSet set, ReadOnlySpan<TopicPosition> positions) => 5 + Cursor.MaxLength(set, positions);

    /// <summary>Writes the <c>id:</c> line of <paramref name="positions"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteIdLine(Span<byte> destination, TopicSet set, ReadOnlySpan<TopicPosition> positions)
    {
        "id: "u8.CopyTo(destination);
        var length = 4 + Cursor.Write(destination[4..], set, positions);
        destination[length] = (byte)'\n';
        return length + 1;
    }

    /// <summary>
    /// The <c>event:</c> and <c>data:</c> lines of an event and the blank line that ends it. Per the spec a
    /// line break inside data must become a new <c>data:</c> field: CRLF, LF and a bare CR all end a line
    /// on the client, so each of them starts a new field here and a payload can never end the event early
    /// or inject an <c>id:</c>/<c>event:</c>/<c>retry:</c> field.
    /// </summary>
    public static byte[] EventBody(string type, string data)
    {
        // Sized exactly first, then written once: one array per event, no builder or string in between.
        var body = new byte[EventBodyLength(type, data)];
        WriteEventBody(body, type, data);
        return body;
    }

    /// <summary>The exact length of <see cref="EventBody"/>'s bytes.</summary>
    public static int EventBodyLength(string type, string data)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(data);
        var typed = type != "message";
        if (typed && type.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException("An SSE event type may not contain CR or LF.", nameof(type));
        var length = 1 + (typed ? 8 + Encoding.UTF8.GetByteCount(type) : 0);
        for (var lines = new DataLines(data); lines.Next(out var line);)
            length += 7 + Encoding.UTF8.GetByteCount(line);
        return length;
    }

    /// <summary>Writes <see cref="EventBody"/>'s bytes into <paramref name="destination"/>, which is exactly <see cref="EventBodyLength"/> long.</summary>
    public static void WriteEventBody(Span<byte> destination, string type, string data)
    {
        var at = 0;
        if (type != "message")
            at = Put(destination, at, "event: "u8, type);
        for (var lines = new DataLines(data); lines.Next(out var line);)
            at = Put(destination, at, "data: "u8, line);
        destination[at] = (byte)'\n';
    }

    private static int Put(Span<byte> destination, int at, ReadOnlySpan<byte> field, ReadOnlySpan<char> value)
    {
        field.CopyTo(destination[at..]);
        at += field.Length;
        at += Encoding.UTF8.GetBytes(value, destination[at..]);
        destination[at] = (byte)'\n';
        return at + 1;
    }

    /// <summary>The lines of an event's data: CRLF, LF and a bare CR each end one, as they do on the client.</summary>
    private ref struct DataLines(string data)
    {
        private ReadOnlySpan<char> _rest = data;
        private bool _done;

        public bool Next(out ReadOnlySpan<char> line)
        {
            if (_done)
            {
                line = default;
                return false;
            }
            var brk = _rest.IndexOfAny('\r', '\n');
            if (brk < 0)
            {
                line = _rest;
                _done = true;
                return true;
            }
            line = _rest[..brk];
            var width = _rest[brk] == '\r' && brk + 1 < _rest.Length && _rest[brk + 1] == '\n' ? 2 : 1;
            _rest = _rest[(brk + width)..];
            return true;
        }
    }
}
