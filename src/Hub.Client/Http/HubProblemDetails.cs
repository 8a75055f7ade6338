using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hub.Client.Http;

/// <summary>The hub's <c>application/problem+json</c> answer (RFC 9457): what was wrong with a request.</summary>
public sealed class HubProblemDetails
{
    /// <summary>A URI that identifies the kind of problem.</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }

    /// <summary>A short summary, such as "Bad request".</summary>
    [JsonPropertyName("title")] public string? Title { get; init; }

    /// <summary>The HTTP status code.</summary>
    [JsonPropertyName("status")] public int? Status { get; init; }

    /// <summary>What exactly is wrong, in the hub's words.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; init; }

    /// <summary>The request the problem is about.</summary>
    [JsonPropertyName("instance")] public string? Instance { get; init; }

    /// <summary>Any other members of the problem object.</summary>
    [JsonExtensionData] public IDictionary<string, JsonElement>? Extensions { get; init; }
}
