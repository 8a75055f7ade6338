using System.Buffers;
using System.Text;
using System.Text.Json;
using Hub.Grains.Contracts;
using Hub.Grains.Publishing;

namespace Hub.Api.Publishing;

/// <summary>
/// Turns a publish request body into event drafts, or into the reason it cannot be one. Accepts
/// <c>application/json</c> (one <c>{"type","data","key"}</c> object, or an array of them for a batch) and
/// <c>text/plain</c> (the body is the data, the type comes from <c>?type=</c>, the key from <c>?key=</c>). Reads at most the
/// configured number of bytes, so an oversized body costs the hub nothing.
/// </summary>
public static class PublishRequestReader
{
    public sealed record Outcome(IReadOnlyList<EventDraft>? Drafts, bool IsBatch, int Status, string? Problem);

    // ValueTask: the body of a small publish is usually buffered already, so the read completes at once.
    public static async ValueTask<Outcome> ReadAsync(HttpRequest request, PublishOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var isJson = IsJson(request);
        var isText = !isJson && request.ContentType is { } ct && ct.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
        if (!isJson && !isText)
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Publish with Content-Type application/json ({\"type\":\"...\",\"data\":...}) or text/plain (data in the body, type in ?type=).");

        var maxBody = options.MaxBodyBytes;
        if (request.ContentLength > maxBody)
            return TooLarge(maxBody);
        var body = await ReadBodyAsync(request, maxBody, cancellationToken);
        if (body is null)
            return TooLarge(maxBody);

        return isJson ? ReadJson(body, options) : ReadText(body, request.Query["type"], request.Query["key"], options);
    }

    // The one byte limit on a body (Hub:Publish:MaxBodyBytes), a batch's included: a batch is refused by
    // its size before its events are counted, so the message says which setting to split by.
    private static Outcome TooLarge(long maxBody) =>
        Fail(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {maxBody} bytes (Hub:Publish:MaxBodyBytes); split a batch into smaller ones.");

    private static async ValueTask<byte[]?> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return null;
            }
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Outcome ReadText(byte[] body, string? type, string? key, PublishOptions options)
    {
        string data;
        try
        {
            data = EventRules.StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Fail(StatusCodes.Status400BadRequest, "The body is not valid UTF-8 text.");
        }
        var draft = new EventDraft(string.IsNullOrEmpty(type) ? EventRules.DefaultType : type, data, key);
        return Check([draft], isBatch: false, options);
    }

    private static Outcome ReadJson(byte[] body, PublishOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return Fail(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
                return ReadDraft(root, out var draft, out var problem) ? Check([draft!], false, options) : Fail(400, problem!);
            if (root.ValueKind != JsonValueKind.Array)
                return Fail(400, "The body must be a JSON object {\"type\":\"...\",\"data\":...} or an array of them.");
            var count = root.GetArrayLength();
            if (count == 0)
                return Fail(400, "A batch needs at least one event.");
            if (count > options.MaxBatchEvents)
                return Fail(StatusCodes.Status413PayloadTooLarge, $"A batch may hold at most {options.MaxBatchEvents} events (Hub:Publish:MaxBatchEvents).");
            var drafts = new EventDraft[count];
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    return Fail(400, $"Event {index} of the batch is not a JSON object.");
                if (!ReadDraft(item, out var draft, out var problem))
                    return Fail(400, $"Event {index} of the batch: {problem}");
                drafts[index++] = draft!;
            }
            return Check(drafts, true, options);
        }
    }

    internal static bool ReadDraft(JsonElement element, out EventDraft? draft, out string? problem)
    {
        try
        {
            return TryReadDraft(element, out draft, out problem);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            // JsonDocument checks structure, not text: a string with invalid UTF-8 or a lone surrogate
            // escape (\ud800) only fails when it is turned into .NET text.
            draft = null;
            problem = "The JSON holds a string that is not valid Unicode text (invalid UTF-8 or an unpaired surrogate escape).";
            return false;
        }
    }

    private static bool TryReadDraft(JsonElement element, out EventDraft? draft, out string? problem)
    {
        draft = null;
        problem = null;
        var type = EventRules.DefaultType;
        if (element.TryGetProperty("type", out var typeElement))
        {
            if (typeElement.ValueKind != JsonValueKind.String)
            {
                problem = "\"type\" must be a string.";
                return false;
            }
            type = typeElement.GetString()!;
        }
        if (!element.TryGetProperty("data", out var dataElement) || dataElement.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            problem = "\"data\" is missing.";
            return false;
        }
        string? key = null;
        if (element.TryGetProperty("key", out var keyElement) && keyElement.ValueKind != JsonValueKind.Null)
        {
            if (keyElement.ValueKind != JsonValueKind.String)
            {
                problem = "\"key\" must be a string.";
                return false;
            }
            key = keyElement.GetString()!;
        }
        // A JSON value that is not a string travels as its compact JSON text (re-written, so no whitespace).
        var data = dataElement.ValueKind == JsonValueKind.String ? dataElement.GetString()! : JsonSerializer.Serialize(dataElement);
        draft = new EventDraft(type, data, key);
        return true;
    }

    private static Outcome Check(EventDraft[] drafts, bool isBatch, PublishOptions options)
    {
        foreach (var draft in drafts)
        {
            if (CheckDraft(draft, options.MaxDataBytes, out var status) is { } problem)
                return Fail(status, problem);
        }
        return new Outcome(drafts, isBatch, StatusCodes.Status201Created, null);
    }

    /// <summary>Null when <paramref name="draft"/> may be published, else what is wrong and the status that says so (413 for data too large).</summary>
    internal static string? CheckDraft(EventDraft draft, int maxDataBytes, out int status)
    {
        status = StatusCodes.Status413PayloadTooLarge;
        if (Encoding.UTF8.GetByteCount(draft.Data) > maxDataBytes)
            return $"The event data is larger than {maxDataBytes} bytes.";
        status = StatusCodes.Status400BadRequest;
        return EventRules.CheckType(draft.Type) ?? EventRules.CheckData(draft.Data, maxDataBytes) ?? EventRules.CheckEventKey(draft.Key);
    }

    private static Outcome Fail(int status, string problem) => new(null, false, status, problem);

    /// <summary>
    /// Whether the body is JSON. The two spellings nearly every client sends are compared as they are;
    /// anything else is parsed, which allocates its parameters (a few percent of what a publish allocated).
    /// </summary>
    private static bool IsJson(HttpRequest request) =>
        request.ContentType is "application/json" or "application/json; charset=utf-8" || request.HasJsonContentType();
}
