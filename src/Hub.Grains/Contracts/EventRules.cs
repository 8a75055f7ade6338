using System.Buffers;
using System.Text;

namespace Hub.Grains.Contracts;

/// <summary>
/// The wire contract's rules for topic names, event types and data. Checked at the HTTP edge for a
/// clear 4xx and again in the topic grain, so nothing unvalidated can reach a log or the SSE wire.
/// </summary>
public static class EventRules
{
    public const int MaxTopicLength = 128;
    public const int MaxTypeLength = 64;
    public const int MaxIdempotencyKeyLength = 128;
    public const int MaxEventKeyLength = 128;
    public const int MaxChannelLength = 64;
    public const int MaxChannelsPerEvent = 64;

    /// <summary>The type a publisher gets when it names none; SSE omits the <c>event:</c> line for it.</summary>
    public const string DefaultType = "message";

    /// <summary>Event types the hub itself emits start with this; publishers may not use it.</summary>
    public const string ReservedTypePrefix = "hub.";

    /// <summary>
    /// Topics starting with this are the hub's own logs (the Mercure endpoint's update log is one): topic
    /// grains store them like any other, but the native HTTP API refuses them (<see cref="CheckClientTopic"/>),
    /// so clients reach them only through the endpoint that owns them and its access rules.
    /// </summary>
    public const string InternalTopicPrefix = "~";

    private static readonly SearchValues<char> TopicChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:~");

    private static readonly SearchValues<char> TypeChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Null when <paramref name="topic"/> is a valid topic name, else what is wrong with it.</summary>
    public static string? CheckTopic(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
            return "The topic name is empty.";
        if (topic.Length > MaxTopicLength)
            return $"The topic name is longer than {MaxTopicLength} characters.";
        if (topic[0] == '.')
            return "The topic name may not start with '.'.";
        if (topic.AsSpan().ContainsAnyExcept(TopicChars))
            return "The topic name may contain only A-Z a-z 0-9 . _ - : ~.";
        return null;
    }

    /// <summary>
    /// Null when <paramref name="channels"/> (an <see cref="EventDraft.Channels"/>) are valid: at most
    /// <see cref="MaxChannelsPerEvent"/>, each 1 to <see cref="MaxChannelLength"/> characters of a topic
    /// name, shaped <c>group:name</c> or a bare name (a group of its own). Channels are named by the hub's
    /// own endpoints, never by a client, so a bad one is a programming error.
    /// </summary>
    public static string? CheckChannels(IReadOnlyList<string>? channels)
    {
        if (channels is null)
            return null;
        if (channels.Count > MaxChannelsPerEvent)
            return $"An event names at most {MaxChannelsPerEvent} channels.";
        foreach (var channel in channels)
        {
            if (string.IsNullOrEmpty(channel) || channel.Length > MaxChannelLength || channel.AsSpan().ContainsAnyExcept(TopicChars))
                return $"A channel name has 1 to {MaxChannelLength} characters of A-Z a-z 0-9 . _ - : ~.";
        }
        return null;
    }

    /// <summary>The group of a channel: the text before its first <c>:</c>, or the whole name.</summary>
    public static string ChannelGroup(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var colon = channel.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? channel : channel[..colon];
    }

    /// <summary>Null when <paramref name="topic"/> is a topic a client may name at the native API, else what is wrong with it.</summary>
    public static string? CheckClientTopic(string? topic)
    {
        if (CheckTopic(topic) is { } problem)
            return problem;
        return topic!.StartsWith(InternalTopicPrefix, StringComparison.Ordinal)
            ? $"Topic names starting with '{InternalTopicPrefix}' are reserved for the hub's own logs."
            : null;
    }

    /// <summary>Null when <paramref name="type"/> is a valid publisher event type, else what is wrong with it.</summary>
    public static string? CheckType(string? type)
    {
        if (string.IsNullOrEmpty(type))
            return "The event type is empty.";
        if (type.Length > MaxTypeLength)
            return $"The event type is longer than {MaxTypeLength} characters.";
        // A CR or LF here would let a publisher inject id:/event:/retry: fields into every stream.
        if (type.AsSpan().ContainsAnyExcept(TypeChars))
            return "The event type may contain only A-Z a-z 0-9 . _ -.";
        if (type.StartsWith(ReservedTypePrefix, StringComparison.Ordinal))
            return $"Event types starting with '{ReservedTypePrefix}' are reserved for the hub.";
        return null;
    }

    /// <summary>Null when <paramref name="data"/> is acceptable event data, else what is wrong with it.</summary>
    public static string? CheckData(string? data, int maxBytes)
    {
        if (string.IsNullOrEmpty(data))
            return "The event data is empty.";
        if (data.Contains('\0', StringComparison.Ordinal))
            return "The event data contains a NUL character.";
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(data);
        }
        catch (EncoderFallbackException)
        {
            return "The event data is not valid Unicode text (it has an unpaired surrogate).";
        }
        if (bytes > maxBytes)
            return $"The event data is {bytes} bytes; at most {maxBytes} are allowed.";
        return null;
    }

    /// <summary>
    /// Null when <paramref name="key"/> is a valid event key (null is: no key): 1–128 characters of the
    /// topic alphabet, so it is safe in a URL, a log line and a Redis hash field.
    /// </summary>
    public static string? CheckEventKey(string? key)
    {
        if (key is null)
            return null;
        if (key.Length == 0)
            return "The event key is empty.";
        if (key.Length > MaxEventKeyLength)
            return $"The event key is longer than {MaxEventKeyLength} characters.";
        if (key.AsSpan().ContainsAnyExcept(TopicChars))
            return "The event key may contain only A-Z a-z 0-9 . _ - : ~.";
        return null;
    }

    /// <summary>
    /// Null when <paramref name="key"/> is a valid <c>Idempotency-Key</c>: 1–128 printable ASCII
    /// characters (space to <c>~</c>), so it is safe in a header, a log line and a Redis hash field.
    /// </summary>
    public static string? CheckIdempotencyKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
            return "The Idempotency-Key is empty.";
        if (key.Length > MaxIdempotencyKeyLength)
            return $"The Idempotency-Key is longer than {MaxIdempotencyKeyLength} characters.";
        foreach (var c in key)
        {
            if (c is < ' ' or > '~')
                return "The Idempotency-Key may contain only printable ASCII characters (space to '~').";
        }
        return null;
    }

    /// <summary>UTF-8 that throws on invalid input instead of substituting U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
