using System.Net;
using System.Net.Http.Json;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Browser;

/// <summary>The demo page, the client module and the test-only drop endpoint over plain HTTP.</summary>
public sealed class BrowserAssetsTests
{
    [Fact]
    public async Task Root_ServesTheDemoPage_WithAContentSecurityPolicy()
    {
        var (response, body) = await GetAsync("/", "text/html");

        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"/app.js\">", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientModule_IsJavaScript_ThatAnyOriginMayImport()
    {
        var (response, body) = await GetAsync("/hub-client.js", "text/javascript");

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("export class HubClient", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropEndpoint_DoesNotExist_UnlessEnabled()
    {
        await using var server = await HubServer.StartAsync();
        using var response = await server.Client.PostAsync("/testing/drop", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DropEndpoint_EndsEveryStream_SoClientsResumeFromTheirLastId()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Testing:EnableDropEndpoint"] = "true" });
        await server.Client.PublishAsync("news", "n1");
        await using var stream = await SseStream.OpenAsync(server.Client, "topics/news/events", "earliest");
        var first = await stream.NextAsync();

        using var response = await server.Client.PostAsync("/testing/drop", null);
        response.EnsureSuccessStatusCode();
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<DropAnswer>())!.Dropped);
        await stream.Completion.WaitAsync(SseStream.DefaultTimeout);

        await server.Client.PublishAsync("news", "n2");
        await using var resumed = await SseStream.OpenAsync(server.Client, "topics/news/events", first.EventId);
        Assert.Equal("n2", (await resumed.NextAsync()).Data);
    }

    /// <summary>GETs <paramref name="path"/> from a hub of its own and checks it answers 200 with <paramref name="mediaType"/>.</summary>
    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path, string mediaType)
    {
        await using var server = await HubServer.StartAsync();
        var response = await server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private sealed record DropAnswer(int Dropped);
}
