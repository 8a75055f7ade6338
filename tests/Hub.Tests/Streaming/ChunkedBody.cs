using System.IO.Pipelines;
using System.Net;
using System.Text;

namespace Hub.Tests.Streaming;

/// <summary>
/// A request body the test writes while the request is under way (HTTP/1.1 chunked), each piece sent and
/// flushed at once: a publisher streaming an answer chunk by chunk.
/// </summary>
public sealed class ChunkedBody : HttpContent
{
    private readonly Pipe _pipe = new();

    public ChunkedBody(string mediaType) => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _pipe.Writer.WriteAsync(bytes);

    /// <summary>Ends the body (the final chunk).</summary>
    public void End() => _pipe.Writer.Complete();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _pipe.Reader.ReadAsync(cancellationToken);
            foreach (var segment in read.Buffer)
                await stream.WriteAsync(segment, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _pipe.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
                return;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
