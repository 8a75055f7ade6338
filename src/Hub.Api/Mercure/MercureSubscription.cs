using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hub.Grains.Contracts;

namespace Hub.Api.Mercure;

/// <summary>
/// One subscription as Mercure's "Active Subscriptions" section describes it (draft-dunglas-mercure-07):
/// a JSON-LD document <c>{"@context","id","type":"Subscription","topic","subscriber","active","payload"}</c>
/// whose <c>id</c> is <c>/.well-known/mercure/subscriptions/{topic}/{subscriber}</c>, both values
/// percent-encoded (RFC 3986 unreserved characters kept, everything else escaped, so a <c>{topic}</c>
/// template expression matches the encoded value). That id is also the topic of the subscription's events.
/// </summary>
public sealed class MercureSubscription(MercureSubscriptionRecord record, bool active)
{
    /// <summary>The JSON-LD context every Mercure document names.</summary>
    public const string Context = "https://mercure.rocks/";

    /// <summary>The collection of all subscriptions, and the prefix of every subscription's id.</summary>
    public const string CollectionPath = MercureEndpoints.Path + "/subscriptions";

    public const string MediaType = "application/ld+json";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public MercureSubscriptionRecord Record { get; } = record;

    public bool Active { get; } = active;

    public string Id => IdOf(Record.Topic, Record.Subscriber);

    /// <summary>The subscription's URL path (and its events' topic).</summary>
    public static string IdOf(string topic, string subscriber) =>
        $"{CollectionPath}/{Uri.EscapeDataString(topic)}/{Uri.EscapeDataString(subscriber)}";

    /// <summary>The path of the collection of <paramref name="topic"/>'s subscriptions.</summary>
    public static string CollectionOf(string topic) => $"{CollectionPath}/{Uri.EscapeDataString(topic)}";

    /// <summary>
    /// Writes the document: with <c>@context</c> when it stands alone (an event, or the single-subscription
    /// URL, which also carries <paramref name="lastEventId"/>), without it inside a collection.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer, bool standalone, string? lastEventId = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (standalone)
            writer.WriteString("@context", Context);
        writer.WriteString("id", Id);
        writer.WriteString("type", "Subscription");
        writer.WriteString("topic", Record.Topic);
        writer.WriteString("subscriber", Record.Subscriber);
        writer.WriteBoolean("active", Active);
        if (Record.Payload is { } payload)
        {
            // The token's own JSON, as it was signed (read with GetRawText, so it is valid JSON).
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: true);
        }
        if (lastEventId is not null)
            writer.WriteString("lastEventID", lastEventId);
        writer.WriteEndObject();
    }

    /// <summary>The standalone document as text: the data of a subscription event.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = NewWriter(buffer))
            WriteTo(writer, standalone: true);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Utf8JsonWriter NewWriter(IBufferWriter<byte> output) => new(output, WriterOptions);
}
