using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Hub.Grains.Contracts;

namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// Reads a <c>text/event-stream</c> body (an upstream's SSE stream: OpenAI's, Anthropic's, anyone's)
/// with System.Net.ServerSentEvents' WHATWG parser, one hub event per SSE event: its <c>event:</c> as the
/// type when that is a valid publisher type, else the default; its data (multi-line data joined with LF,
/// as a browser's EventSource would see it) as the data. The upstream's <c>id:</c> and <c>retry:</c> mean
/// nothing to the hub's viewers and are dropped; comments are skipped by the parser.
/// </summary>
public static class SseEventReader
{
    public static async IAsyncEnumerable<EventDraft> ReadAsync(
        MeteredBodyStream body, string doneSentinel, int maxDataBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(doneSentinel);
        // Null data marks bytes that are not UTF-8: refused below with the line they end at.
        var parser = SseParser.Create(body, static (_, bytes) => Decode(bytes));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            // The parser dispatches at the blank line that ends the event, before reading further.
            var line = body.Lines;
            if (item.Data is null)
                throw new StreamRefusedException($"The event ending at line {line} is not valid UTF-8 text; the events before it were stored.");
            if (doneSentinel.Length > 0 && item.Data == doneSentinel)
                yield break;
            // An event with empty data carries nothing a viewer could show (and the hub stores no empty data).
            if (item.Data.Length == 0)
                continue;
            var type = EventRules.CheckType(item.EventType) is null ? item.EventType : EventRules.DefaultType;
            var draft = new EventDraft(type, item.Data);
            if (PublishRequestReader.CheckDraft(draft, maxDataBytes, out var status) is { } problem)
                throw new StreamRefusedException(status, $"The event ending at line {line}: {problem} The events before it were stored.");
            yield return draft;
        }
    }

    private static string? Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return EventRules.StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }
}
