using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

/// <summary>Idempotent publishing on the embedded hub (in-memory log): <c>Idempotency-Key</c> on <c>POST /topics/{topic}/events</c>.</summary>
[Collection(HubServerCollection.Name)]
public class IdempotencyTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    private async Task<HttpResponseMessage> PostAsync(string topic, string json, params string[] keys)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"topics/{topic}/events")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        foreach (var key in keys)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await Client.SendAsync(request);
    }

    private async Task<long> HeadAsync(string topic) =>
        (await Client.GetFromJsonAsync<JsonElement>($"topics/{topic}")).GetProperty("head").GetInt64();

    [Fact]
    public async Task Retry_WithTheSameKey_ReturnsTheOriginal201Body_AndStoresOneEvent()
    {
        var topic = HubServerFixture.NewTopic("idem");
        using var first = await PostAsync(topic, """{"type":"status","data":"paid"}""", "payment-1");
        using var retry = await PostAsync(topic, """{"type":"status","data":"paid"}""", "payment-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(1, await HeadAsync(topic));
    }

    [Fact]
    public async Task BatchRetry_WithTheSameKey_ReturnsTheOriginalArray_AndStoresTheBatchOnce()
    {
        var topic = HubServerFixture.NewTopic("idem");
        const string batch = """[{"data":"a"},{"data":"b"},{"data":"c"}]""";
        using var first = await PostAsync(topic, batch, "batch-1");
        using var retry = await PostAsync(topic, batch, "batch-1");

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var body = await first.Content.ReadAsStringAsync();
        Assert.Equal(body, await retry.Content.ReadAsStringAsync());
        Assert.Equal([1L, 2, 3], JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(3, await HeadAsync(topic));
    }

    [Fact]
    public async Task ConcurrentRetries_WithOneKey_AllGetTheSameAnswer_AndOneEventIsStored()
    {
        var topic = HubServerFixture.NewTopic("idem");
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostAsync(topic, """{"data":"once"}""", "same")));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Equal(9, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(1, await HeadAsync(topic));
        foreach (var response in responses)
            response.Dispose();
    }

    [Theory]
    [InlineData("""{"data":"refund"}""")]          // other data
    [InlineData("""{"type":"other","data":"charge"}""")] // other type
    [InlineData("""[{"data":"charge"}]""")]        // the same event as a batch: the answer would have another shape
    public async Task TheSameKey_ForOtherContent_Gets422_AndStoresNothing(string other)
    {
        var topic = HubServerFixture.NewTopic("idem");
        using var first = await PostAsync(topic, """{"data":"charge"}""", "k");
        using var reused = await PostAsync(topic, other, "k");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await HeadAsync(topic));
    }

    [Fact]
    public async Task TheSameKey_OnAnotherTopic_IsAnotherPublish()
    {
        var (one, two) = (HubServerFixture.NewTopic("idem"), HubServerFixture.NewTopic("idem"));
        using var first = await PostAsync(one, """{"data":"x"}""", "k");
        using var second = await PostAsync(two, """{"data":"x"}""", "k");

        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await HeadAsync(one));
        Assert.Equal(1, await HeadAsync(two));
    }

    [Fact]
    public async Task WithoutAKey_EveryPublishIsStored()
    {
        var topic = HubServerFixture.NewTopic("idem");
        using var first = await PostAsync(topic, """{"data":"x"}""");
        using var second = await PostAsync(topic, """{"data":"x"}""");

        Assert.Equal(2, await HeadAsync(topic));
    }

    public static TheoryData<string[]> BadKeys => new()
    {
        { [new string('k', 129)] },   // too long
        { ["tab\tinside"] },          // not printable
        { [""] },                     // empty
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task ABadKey_Gets400ProblemDetails_AndStoresNothing(string[] keys)
    {
        var topic = HubServerFixture.NewTopic("idem");
        using var response = await PostAsync(topic, """{"data":"x"}""", keys);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await HeadAsync(topic));
    }

    [Fact]
    public async Task AKeyOf128PrintableCharacters_IsAccepted()
    {
        var topic = HubServerFixture.NewTopic("idem");
        var key = string.Concat(Enumerable.Range(0, 128).Select(i => (char)(' ' + 1 + (i % 94))));
        using var response = await PostAsync(topic, """{"data":"x"}""", key);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
