using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Security;
using Hub.Token;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Mercure;

/// <summary>Mercure tokens (a <c>mercure</c> claim) signed with the test hub's key, and the requests a Mercure client sends.</summary>
public static class MercureTestTokens
{
    public static string Create(string[]? publish = null, string[]? subscribe = null, TimeSpan? lifetime = null, string key = Tokens.Key, object? payload = null)
    {
        var mercure = new Dictionary<string, object>();
        if (publish is not null)
            mercure["publish"] = publish;
        if (subscribe is not null)
            mercure["subscribe"] = subscribe;
        if (payload is not null)
            mercure["payload"] = payload;
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["mercure"] = mercure },
            IssuedAt = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = TokenMinter.Hmac(key),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static readonly string PublishToken = Create(publish: ["*"]);

    /// <summary>A publish as Mercure's clients send it: a form with <c>topic</c> repeated.</summary>
    public static HttpRequestMessage Publish(IEnumerable<KeyValuePair<string, string>> fields, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure") { Content = new FormUrlEncodedContent(fields) };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static HttpRequestMessage Publish(string topic, string data, string? token = null, string? id = null, bool isPrivate = false)
    {
        var fields = new List<KeyValuePair<string, string>> { new("topic", topic), new("data", data) };
        if (id is not null)
            fields.Add(new("id", id));
        if (isPrivate)
            fields.Add(new("private", "on"));
        return Publish(fields, token ?? PublishToken);
    }

    /// <summary>The subscribe path for <paramref name="selectors"/> (escaped), with extra query text appended.</summary>
    public static string Subscribe(params string[] selectors) =>
        ".well-known/mercure?" + string.Join('&', selectors.Select(s => "topic=" + Uri.EscapeDataString(s)));

    public static HttpClient NewClient(Uri address, string? header = null, string? cookie = null)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (header is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", header);
        if (cookie is not null)
            client.DefaultRequestHeaders.Add("Cookie", $"mercureAuthorization={cookie}");
        return client;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
