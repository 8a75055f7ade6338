using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hub.Api.Sse;
using Hub.Grains.Contracts;

namespace Hub.Api.Mercure;

/// <summary>
/// One Mercure update: its id (hub-wide, the SSE <c>id:</c>), its topics (the first canonical, the
/// others alternates), whether it is private, its SSE type and retry, and its data. It is stored once,
/// as one event of the Mercure update log (<see cref="MercureLog"/>), whatever the number of its topics,
/// so a connection receives it at most once.
/// </summary>
public sealed class MercureUpdate
{
    // Decoded and framed once per node for every connection that receives it (a page of history read
    // for many resuming clients, or the feed's ring): keyed by the stored event, which both share.
    private static readonly ConditionalWeakTable<TopicEvent, MercureUpdate?> Decoded = [];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private byte[]? _frame;

    public MercureUpdate(string id, IReadOnlyList<string> topics, bool isPrivate, string? type, long? retry, string data)
    {
        Id = id;
        Topics = topics;
        IsPrivate = isPrivate;
        Type = type;
        Retry = retry;
        Data = data;
    }

    public string Id { get; }

    public IReadOnlyList<string> Topics { get; }

    public bool IsPrivate { get; }

    public string? Type { get; }

    public long? Retry { get; }

    public string Data { get; }

    /// <summary>
    /// The update as SSE: <c>id:</c>, <c>event:</c> (unless none or <c>message</c>), <c>retry:</c> when
    /// given, one <c>data:</c> line per line of data, a blank line. Made once per node (a benign race at
    /// most makes it twice). Id and type were checked for CR, LF and NUL when published.
    /// </summary>
    public byte[] Frame => _frame ??= BuildFrame();

    /// <summary>The stored form: compact JSON, non-ASCII text kept as is so the log's byte limit means what it says.</summary>
    public string Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(Data.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Id);
            writer.WriteStartArray("topics");
            foreach (var topic in Topics)
                writer.WriteStringValue(topic);
            writer.WriteEndArray();
            if (IsPrivate)
                writer.WriteBoolean("private", true);
            if (Type is not null)
                writer.WriteString("type", Type);
            if (Retry is { } retry)
                writer.WriteNumber("retry", retry);
            writer.WriteString("data", Data);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The update stored as <paramref name="stored"/>, or null when it is not one (nothing else is written to the log, but a reader never trusts that).</summary>
    public static MercureUpdate? Of(TopicEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Decoded.GetValue(stored, static e => Decode(e.Data));
    }

    /// <summary>The update <paramref name="formatted"/> carries; null when it is not one or its stored event is not at hand (feeds of internal topics keep it).</summary>
    public static MercureUpdate? Of(FormattedEvent formatted)
    {
        ArgumentNullException.ThrowIfNull(formatted);
        return formatted.Event is { } stored ? Of(stored) : null;
    }

    internal static MercureUpdate? Decode(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
                return null;
            var list = new List<string>(topics.GetArrayLength());
            foreach (var topic in topics.EnumerateArray())
                list.Add(topic.GetString() ?? "");
            return new MercureUpdate(
                id.GetString()!,
                list,
                root.TryGetProperty("private", out var isPrivate) && isPrivate.ValueKind == JsonValueKind.True,
                root.TryGetProperty("type", out var type) ? type.GetString() : null,
                root.TryGetProperty("retry", out var retry) && retry.TryGetInt64(out var r) ? r : null,
                data.GetString()!);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private byte[] BuildFrame()
    {
        var head = new StringBuilder().Append("id: ").Append(Id).Append('\n');
        if (Retry is { } retry)
            head.Append("retry: ").Append(retry.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        var body = SseFormat.EventBody(string.IsNullOrEmpty(Type) ? EventRules.DefaultType : Type, Data);
        var headBytes = Encoding.UTF8.GetBytes(head.ToString());
        return [.. headBytes, .. body];
    }
}
