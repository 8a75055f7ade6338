using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Hub.Grains.Contracts;

namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// Reads an <c>application/x-ndjson</c> body: one event object per line, <c>{"type":"...","data":...}</c>
/// exactly as in a batch publish. Blank lines are skipped; a line may end with LF or CRLF (the CR is JSON
/// whitespace), and the last line needs no terminator. A line is at most <c>Hub:Publish:MaxBodyBytes</c>.
/// </summary>
public static class NdjsonEventReader
{
    public static async IAsyncEnumerable<EventDraft> ReadAsync(
        MeteredBodyStream body, int maxLineBytes, int maxDataBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var line = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await body.ReadAsync(line.GetMemory(4096), cancellationToken);
            if (read > 0)
            {
                line.Advance(read);
                if (line.WrittenCount > maxLineBytes + 1)
                    throw new StreamRefusedException(StatusCodes.Status413PayloadTooLarge, $"Line {body.Lines + 1} is longer than {maxLineBytes} bytes (Hub:Publish:MaxBodyBytes); the events before it were stored.");
                if (line.WrittenSpan[^1] != (byte)'\n')
                    continue;
            }
            else if (line.WrittenCount == 0)
            {
                yield break;
            }
            // A line just ended (its LF is counted in Lines), or the body ended without a final LF.
            var number = read > 0 ? body.Lines : body.Lines + 1;
            if (Parse(line.WrittenMemory, number, maxDataBytes) is { } draft)
                yield return draft;
            line.ResetWrittenCount();
            if (read == 0)
                yield break;
        }
    }

    private static EventDraft? Parse(ReadOnlyMemory<byte> line, long number, int maxDataBytes)
    {
        if (line.Span.Trim(" \t\r\n"u8).IsEmpty)
            return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw Refused(StatusCodes.Status400BadRequest, number, $"not valid JSON: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Refused(StatusCodes.Status400BadRequest, number, "not a JSON object {\"type\":\"...\",\"data\":...}.");
            if (!PublishRequestReader.ReadDraft(document.RootElement, out var draft, out var problem))
                throw Refused(StatusCodes.Status400BadRequest, number, problem!);
            if (PublishRequestReader.CheckDraft(draft!, maxDataBytes, out var status) is { } invalid)
                throw Refused(status, number, invalid);
            return draft;
        }
    }

    private static StreamRefusedException Refused(int status, long line, string problem) =>
        new(status, $"Line {line}: {problem} The events before it were stored.");
}
