using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Mercure;

/// <summary>A hub with Mercure's subscription API on (<c>Hub:Mercure:SubscriptionsApi</c>), and the requests its tests send.</summary>
public sealed class MercureSubscriptionsFixture : IAsyncLifetime
{
    /// <summary>A selector that covers the whole subscription API, its URLs and its events alike.</summary>
    public const string AllSubscriptions = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";

    /// <summary>The template of the subscription events' topics.</summary>
    public const string EventTopics = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";

    public static readonly string Reader = MercureTestTokens.Create(subscribe: [AllSubscriptions]);

    public HubServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public static Task<HubServer> StartAsync() => HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Auth:SigningKey"] = Tokens.Key,
        ["Hub:Auth:ClockSkew"] = "00:00:00",
        ["Hub:Mercure:SubscriptionsApi"] = "true",
        ["Hub:Limits:MaxConnectionsPerClient"] = "0",
        ["Hub:Limits:PublishRequestsPerSecond"] = "0",
    });

    /// <summary>The subscription API's URL for <paramref name="topic"/> and <paramref name="subscriber"/>, each percent-encoded.</summary>
    public static string PathOf(string? topic = null, string? subscriber = null) =>
        ".well-known/mercure/subscriptions"
        + (topic is null ? "" : "/" + Uri.EscapeDataString(topic))
        + (subscriber is null ? "" : "/" + Uri.EscapeDataString(subscriber));

    /// <summary>GETs <paramref name="path"/> with <paramref name="token"/>; the response (caller disposes).</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? token = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifNoneMatch is not null)
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }

    /// <summary>The JSON-LD document at <paramref name="path"/>, read with the reader's token; asserts a 200 <c>application/ld+json</c>.</summary>
    public static async Task<JsonElement> ReadAsync(HttpClient client, string path)
    {
        using var response = await GetAsync(client, path, Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The subscriptions of a collection document whose topic is <paramref name="topic"/>.</summary>
    public static List<JsonElement> Of(JsonElement collection, string topic) =>
        [.. collection.GetProperty("subscriptions").EnumerateArray().Where(s => s.GetProperty("topic").GetString() == topic)];
}

[CollectionDefinition(Name)]
public sealed class MercureSubscriptionsCollection : ICollectionFixture<MercureSubscriptionsFixture>
{
    public const string Name = "Mercure subscription API";
}
