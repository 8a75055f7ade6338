using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Browser.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Hub.Browser.Tests.EventSource;

/// <summary>Chromium's own EventSource on the Mercure endpoint, the way Symfony's mercure() helper uses it.</summary>
public sealed class MercureEventSourceTests
{
    private const string Key = "browser-test-mercure-key-0123456789abcdef";
    private static readonly float Timeout = (float)BrowserSession.Timeout.TotalMilliseconds;

    [Fact]
    public async Task EventSource_WithCookieToken_AndTemplateSelector_ReceivesAPrivateUpdate()
    {
        await using var session = await DemoSession.OpenAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Key });
        var page = session.Browser.Page;
        var subscriberToken = Token(new Dictionary<string, object> { ["subscribe"] = new[] { "https://example.com/books/{id}" } });
        await page.EvaluateAsync("""
            async token => {
              document.cookie = `mercureAuthorization=${token}; path=/; SameSite=Strict`;
              window.got = [];
              const url = new URL("/.well-known/mercure", location.origin);
              url.searchParams.append("topic", "https://example.com/books/{id}");
              const source = new EventSource(url);
              source.addEventListener("book.update", e => window.got.push(`${e.lastEventId} ${e.data}`));
              await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
            }
            """, subscriberToken);

        var publisher = Token(new Dictionary<string, object> { ["publish"] = new[] { "*" } });
        await PublishAsync(session, publisher, "https://example.com/authors/1", "not selected");
        await PublishAsync(session, publisher, "https://example.com/books/1", """{"status":"OutOfStock"}""");
        await page.WaitForFunctionAsync("() => got.length >= 1", null, new() { Timeout = Timeout });

        Assert.Equal(["book-1-v1 {\"status\":\"OutOfStock\"}"], await page.EvaluateAsync<string[]>("() => got"));
        Assert.Empty(session.Browser.PageErrors);
    }

    private static async Task PublishAsync(DemoSession session, string token, string topic, string data)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/mercure")
        {
            Content = new FormUrlEncodedContent([new("topic", topic), new("data", data), new("private", "on"), new("type", "book.update"),
                new("id", topic.EndsWith("books/1", StringComparison.Ordinal) ? "book-1-v1" : "author-1-v1")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await session.Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Token(Dictionary<string, object> mercure) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["mercure"] = mercure },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)), SecurityAlgorithms.HmacSha256),
        });
}
