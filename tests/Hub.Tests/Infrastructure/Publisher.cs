using System.Net.Http.Json;
using System.Text.Json;

namespace Hub.Tests.Infrastructure;

/// <summary>Publishes over HTTP exactly as a user's publisher would.</summary>
public static class Publisher
{
    public sealed record Ack(string Topic, long Sequence, string Id);

    public static async Task<Ack> PublishAsync(this HttpClient client, string topic, string data, string type = "status")
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsJsonAsync($"topics/{topic}/events", new { type, data });
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Publish to {topic} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Ack>(JsonSerializerOptions.Web))!;
    }
}
