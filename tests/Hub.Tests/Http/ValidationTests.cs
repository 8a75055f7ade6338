using System.Net;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

[Collection(HubServerCollection.Name)]
public class ValidationTests(HubServerFixture fixture)
{
    private HttpClient Client => fixture.Server.Client;

    public static TheoryData<string, string, string, int> BadPublishes => new()
    {
        { "ok", "application/json", "{\"type\":\"status\"}", 400 },                         // no data
        { "ok", "application/json", "{\"type\":\"status\",\"data\":\"\"}", 400 },          // empty data
        { "ok", "application/json", "{\"type\":\"hub.reset\",\"data\":\"x\"}", 400 },      // reserved type
        { "ok", "application/json", "{\"type\":\"a\\nid: 7\",\"data\":\"x\"}", 400 },      // injected field
        { "ok", "application/json", "{\"type\":5,\"data\":\"x\"}", 400 },                  // type not a string
        { "ok", "application/json", "{\"type\":\"status\",\"data\":\"x\"", 400 },          // truncated JSON
        { "ok", "application/json", "\"just a string\"", 400 },                               // wrong JSON shape
        { "ok", "application/json", "[]", 400 },                                              // empty batch
        { "ok", "application/json", "{\"data\":\"nul \\u0000 inside\"}", 400 },             // NUL
        { "ok", "application/json", "{\"data\":\"\\ud800\"}", 400 },                        // lone surrogate
        { "ok", "application/xml", "<data/>", 415 },                                          // media type
        { ".hidden", "application/json", "{\"data\":\"x\"}", 400 },                          // bad topic
        { "a%20b", "application/json", "{\"data\":\"x\"}", 400 },                            // bad topic
        { new string('t', 129), "application/json", "{\"data\":\"x\"}", 400 },              // long topic
    };

    [Theory]
    [MemberData(nameof(BadPublishes))]
    public async Task BadPublish_GetsProblemDetails4xx_AndStoresNothing(string topic, string mediaType, string body, int status)
    {
        var suffix = topic == "ok" ? HubServerFixture.NewTopic() : topic;
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        using var response = await Client.PostAsync($"topics/{suffix}/events", content);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"detail\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        if (topic == "ok")
            Assert.Contains("\"head\":0", await Client.GetStringAsync($"topics/{suffix}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8_TextBody_Is400()
    {
        using var content = new ByteArrayContent([0x68, 0xC3, 0x28, 0xFF]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var response = await Client.PostAsync($"topics/{HubServerFixture.NewTopic()}/events", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OversizedData_Is413()
    {
        using var content = new StringContent(new string('x', 64 * 1024 + 1), Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync($"topics/{HubServerFixture.NewTopic()}/events", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OversizedBody_Is413_WithoutReadingItAll()
    {
        using var content = new ByteArrayContent(new byte[4 * 1024 * 1024]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await Client.PostAsync($"topics/{HubServerFixture.NewTopic()}/events", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("topics/.bad/events")]
    [InlineData("events")]
    [InlineData("events?topic=ok&topic=.bad")]
    [InlineData("topics/ok/events?lastEventId=garbage")]
    public async Task BadSubscription_Is400ProblemDetails(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TooManyTopics_Is400()
    {
        var query = string.Join("&", Enumerable.Range(0, 65).Select(i => $"topic=t{i}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"events?{query}");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
