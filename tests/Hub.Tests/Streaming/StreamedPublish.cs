using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hub.Tests.Streaming;

/// <summary>A streamed publish's answer: its status and the JSON body (a 201's counts or a problem's).</summary>
public sealed record StreamedPublish(HttpStatusCode Status, JsonElement Body)
{
    public long Count => Body.GetProperty(Status is HttpStatusCode.Created or HttpStatusCode.OK ? "count" : "accepted").GetInt64();

    public long? LastSequence => Body.GetProperty("lastSequence").ValueKind == JsonValueKind.Number ? Body.GetProperty("lastSequence").GetInt64() : null;

    public string Detail => Body.TryGetProperty("detail", out var d) ? d.GetString()! : "";

    /// <summary>Asserts the stream ended early with <paramref name="status"/>, a detail naming <paramref name="mentions"/>, and <paramref name="accepted"/> events stored.</summary>
    public void AssertStopped(HttpStatusCode status, string mentions, long accepted)
    {
        Xunit.Assert.Equal(status, Status);
        Xunit.Assert.Contains(mentions, Detail, StringComparison.Ordinal);
        Xunit.Assert.Equal(accepted, Count);
    }

    /// <summary>Posts <paramref name="content"/> to the topic and reads the answer.</summary>
    public static async Task<StreamedPublish> PostAsync(HttpClient client, string topic, HttpContent content, string? token = null, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"topics/{topic}/events") { Content = content };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return new StreamedPublish(response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>A whole body sent at once, with a streaming media type.</summary>
    public static Task<StreamedPublish> PostAsync(HttpClient client, string topic, string mediaType, string body, string? token = null) =>
        PostAsync(client, topic, new StringContent(body, Encoding.UTF8, mediaType), token);
}
