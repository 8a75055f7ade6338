using System.Text.Json;

namespace Hub.Client.Publishing;

/// <summary>
/// One event to publish: its type and its data, either text (<see cref="Text"/>) or any JSON value
/// (<see cref="Json{T}"/>, stored by the hub as compact JSON text).
/// </summary>
public sealed record HubMessage
{
    private HubMessage(string type, JsonElement data)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        Type = type;
        Data = data;
    }

    /// <summary>The event type (1–64 characters from <c>A-Z a-z 0-9 . _ -</c>; <c>hub.</c> is reserved).</summary>
    public string Type { get; }

    /// <summary>The data as it goes on the wire: a JSON string for text, any other JSON value as is.</summary>
    public JsonElement Data { get; }

    /// <summary>An event whose data is the given text.</summary>
    public static HubMessage Text(string type, string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new HubMessage(type, JsonSerializer.SerializeToElement(data));
    }

    /// <summary>An event whose data is <paramref name="data"/> serialised as JSON.</summary>
    public static HubMessage Json<T>(string type, T data, JsonSerializerOptions? options = null) =>
        new(type, JsonSerializer.SerializeToElement(data, options ?? JsonSerializerOptions.Web));

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        writer.WritePropertyName("data");
        Data.WriteTo(writer);
        writer.WriteEndObject();
    }
}
