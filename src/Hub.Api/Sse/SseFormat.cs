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
        return Encoding.UTF8.GetBytes($"id: {cursor}\n");
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
        var sb = new StringBuilder(data.Length + type.Length + 16);
        if (type != "message")
        {
            if (type.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new ArgumentException("An SSE event type may not contain CR or LF.", nameof(type));
            sb.Append("event: ").Append(type).Append('\n');
        }
        var rest = data.AsSpan();
        while (true)
        {
            var brk = rest.IndexOfAny('\r', '\n');
            sb.Append("data: ").Append(brk < 0 ? rest : rest[..brk]).Append('\n');
            if (brk < 0)
                break;
            var width = rest[brk] == '\r' && brk + 1 < rest.Length && rest[brk + 1] == '\n' ? 2 : 1;
            rest = rest[(brk + width)..];
        }
        sb.Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
