using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Hub.Api.Mercure;

/// <summary>
/// Reads and checks the form of a Mercure publish (<c>application/x-www-form-urlencoded</c>, as Mercure
/// and Symfony's <c>Hub::publish</c> send it): <c>topic</c> (required, repeatable: the first is
/// canonical, the others alternates), <c>data</c>, <c>private</c> (present means private, whatever its
/// value), <c>id</c>, <c>type</c> and <c>retry</c>. Everything that reaches the SSE wire unescaped (id,
/// type) is refused with a CR, LF or NUL, which would inject fields into every subscriber's stream.
/// </summary>
public static class MercurePublishRequest
{
    /// <summary>The path subscription events use in Mercure: reserved, no update may claim it.</summary>
    public const string ReservedPath = "/.well-known/mercure";

    private const string FormMediaType = "application/x-www-form-urlencoded";
    private static readonly string[] SingleFields = ["data", "id", "type", "retry"];

    /// <summary>True for <c>application/x-www-form-urlencoded</c>, with or without parameters such as <c>charset</c>.</summary>
    public static bool IsForm(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
            return false;
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The form's fields, bounded: a field longer or a form with more fields than an update can use is refused as too large.</summary>
    public static async Task<Dictionary<string, Microsoft.Extensions.Primitives.StringValues>?> ReadAsync(HttpRequest request, MercureOptions options, int maxDataBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        using var reader = new FormReader(request.Body, Encoding.UTF8)
        {
            // Limits apply to the percent-encoded text: a byte of data takes at most three characters.
            ValueLengthLimit = Math.Max(maxDataBytes, options.MaxTopicLength) * 3 + 16,
            ValueCountLimit = options.MaxTopicsPerUpdate + SingleFields.Length + 1,
            KeyLengthLimit = 64,
        };
        try
        {
            return await reader.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The update the form describes (its id generated when none is given), or what is wrong with it.</summary>
    public static (MercureUpdate? Update, string? Problem) Parse(IReadOnlyDictionary<string, Microsoft.Extensions.Primitives.StringValues> form, MercureOptions options)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var field in SingleFields)
        {
            if (form.TryGetValue(field, out var values) && values.Count > 1)
                return (null, $"The field '{field}' was given {values.Count} times; it takes one value.");
        }
        var topics = form.TryGetValue("topic", out var t) ? t.ToArray() : [];
        if (topics.Length == 0)
            return (null, "Name at least one 'topic'.");
        if (topics.Length > options.MaxTopicsPerUpdate)
            return (null, $"An update may have at most {options.MaxTopicsPerUpdate} topics.");
        foreach (var topic in topics)
        {
            if (string.IsNullOrEmpty(topic))
                return (null, "A 'topic' is empty.");
            if (topic.Length > options.MaxTopicLength)
                return (null, $"A 'topic' is longer than {options.MaxTopicLength} characters.");
            if (topic.Contains(ReservedPath, StringComparison.Ordinal))
                return (null, $"Topics containing '{ReservedPath}' are reserved for the hub's subscription events.");
        }

        var id = Single(form, "id");
        if (string.IsNullOrEmpty(id))
            id = $"urn:uuid:{Guid.NewGuid():D}";
        else if (CheckId(id, options) is { } idProblem)
            return (null, idProblem);

        var type = Single(form, "type");
        if (type is not null && (type.Length > options.MaxTopicLength || HasLineBreakOrNul(type)))
            return (null, $"The 'type' may not contain CR, LF or NUL and may have at most {options.MaxTopicLength} characters.");

        long? retry = null;
        if (Single(form, "retry") is { } retryText)
        {
            if (retryText.Length == 0 || retryText.AsSpan().ContainsAnyExceptInRange('0', '9')
                || !long.TryParse(retryText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return (null, "The 'retry' must be an unsigned integer (milliseconds).");
            retry = parsed;
        }

        var data = Single(form, "data") ?? "";
        return (new MercureUpdate(id, topics!, form.ContainsKey("private"), string.IsNullOrEmpty(type) ? null : type, retry, data), null);
    }

    private static string? CheckId(string id, MercureOptions options)
    {
        if (id.StartsWith('#'))
            return "The 'id' may not start with '#' (Mercure reserves it).";
        if (id == MercureLog.Earliest)
            return $"The 'id' '{MercureLog.Earliest}' is reserved: it asks for all history.";
        if (id.Length > options.MaxTopicLength)
            return $"The 'id' is longer than {options.MaxTopicLength} characters.";
        if (HasLineBreakOrNul(id))
            return "The 'id' may not contain CR, LF or NUL: it goes on the SSE id line.";
        return null;
    }

    private static string? Single(IReadOnlyDictionary<string, Microsoft.Extensions.Primitives.StringValues> form, string field) =>
        form.TryGetValue(field, out var values) && values.Count > 0 ? values[0] : null;

    private static bool HasLineBreakOrNul(string text) => text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;
}
