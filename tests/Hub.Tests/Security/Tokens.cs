using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hub.Token;

namespace Hub.Tests.Security;

/// <summary>Tokens for tests, good and hostile, minted with the same code as tools/Hub.Token.</summary>
public static class Tokens
{
    public const string Key = "test-signing-key-0123456789abcdef-0123456789";

    public static string Hs(string[]? publish = null, string[]? subscribe = null, TimeSpan? lifetime = null, string? subject = null,
        DateTimeOffset? now = null, DateTimeOffset? notBefore = null, string key = Key, string? issuer = null, string? audience = null) =>
        TokenMinter.Create(
            new TokenSpec(publish ?? [], subscribe ?? [], lifetime ?? TimeSpan.FromHours(1), subject, issuer, audience, notBefore),
            TokenMinter.Hmac(key),
            now ?? DateTimeOffset.UtcNow);

    /// <summary>An unsigned token (<c>alg: none</c>) that grants everything.</summary>
    public static string AlgNone()
    {
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var payload = Base64Url($$$"""{"exp":{{{exp}}},"hub":{"publish":["*"],"subscribe":["*"]}}""");
        return $"{header}.{payload}.";
    }

    /// <summary>A valid token whose payload was swapped for one granting everything, keeping the old signature.</summary>
    public static string Tampered()
    {
        var parts = Hs(publish: ["nothing"]).Split('.');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        parts[1] = Base64Url($$$"""{"exp":{{{exp}}},"hub":{"publish":["*"],"subscribe":["*"]}}""");
        return string.Join('.', parts);
    }

    public static HttpRequestMessage Publish(string topic, string data, string? token, string type = "status")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"topics/{topic}/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { type, data }), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static HttpRequestMessage Get(string path, string? token = null, string accept = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>The stored history of <paramref name="topic"/> as (sequence, type, data), read with a token that may read it.</summary>
    public static async Task<List<(long Sequence, string Type, string Data)>> HistoryAsync(HttpClient client, string topic, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.SendAsync(Get($"topics/{topic}/events?after=0&limit=1000", token));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => (e.GetProperty("sequence").GetInt64(), e.GetProperty("type").GetString()!, e.GetProperty("data").GetString()!))];
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
