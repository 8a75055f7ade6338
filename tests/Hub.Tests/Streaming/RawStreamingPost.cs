using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Hub.Tests.Streaming;

/// <summary>
/// A streamed publish written by hand on a socket (HTTP/1.1, chunked), for the cases where the hub answers
/// before the body ends (idle timeout, maximum duration, token expiry): HttpClient only reports a response
/// once it has sent the whole request body, as curl does not.
/// </summary>
public sealed class RawStreamingPost : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawStreamingPost(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawStreamingPost> StartAsync(Uri hub, string topic, string contentType, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(hub.Host, hub.Port);
        var post = new RawStreamingPost(tcp);
        var headers = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST /topics/{topic}/events HTTP/1.1\r\nHost: {hub.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n");
        if (token is not null)
            headers.Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {token}\r\n");
        await post.WriteAsync(headers.Append("\r\n").ToString());
        return post;
    }

    /// <summary>Sends <paramref name="text"/> as one chunk.</summary>
    public Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        return WriteAsync($"{bytes:x}\r\n{text}\r\n");
    }

    /// <summary>The hub's answer, read up to the end of its body.</summary>
    public async Task<StreamedPublish> ResponseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headersEnd >= 0 && TryBody(text[..headersEnd], text[(headersEnd + 4)..], out var body))
            {
                var status = (HttpStatusCode)int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
                using var document = JsonDocument.Parse(body);
                return new StreamedPublish(status, document.RootElement.Clone());
            }
            var read = await _stream.ReadAsync(buffer, cts.Token);
            if (read == 0)
                throw new IOException($"The hub closed the connection before its answer was complete: {text}");
            received.Write(buffer, 0, read);
        }
    }

    private static bool TryBody(string headers, string rest, out string body)
    {
        body = "";
        var lines = headers.Split("\r\n");
        var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            var count = int.Parse(length["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            if (Encoding.UTF8.GetByteCount(rest) < count)
                return false;
            body = rest;
            return true;
        }
        // Chunked: complete once the last (empty) chunk arrived.
        if (!rest.Contains("\r\n0\r\n\r\n", StringComparison.Ordinal) && !rest.StartsWith("0\r\n\r\n", StringComparison.Ordinal))
            return false;
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = int.Parse(rest[position..lineEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
                break;
            result.Append(rest, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
        body = result.ToString();
        return true;
    }

    private async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
