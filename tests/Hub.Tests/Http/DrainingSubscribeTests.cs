using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Api.Subscriptions;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Hub.Tests.Http;

/// <summary>
/// What a draining node answers a new subscription that reaches it before Kestrel stops taking connections
/// (the same <see cref="ConnectionDrainer.TurnAwayAsync"/> serves native and Mercure streams). The whole
/// path through a real nginx and two draining nodes is in <c>LoadBalancerTests</c>.
/// </summary>
public sealed class DrainingSubscribeTests
{
    /// <summary>Every way to open a stream: the browser's two GETs, the fetch clients' POST, Mercure's GET, and a resume.</summary>
    private static readonly (string Name, Func<string, HttpRequestMessage> Request)[] Subscribes =
    [
        ("one topic", topic => new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events")),
        ("several topics", topic => new HttpRequestMessage(HttpMethod.Get, $"events?topic={topic}&topic={topic}-b")),
        ("POST /subscribe", topic => new HttpRequestMessage(HttpMethod.Post, "subscribe") { Content = JsonContent(topic) }),
        ("Mercure", topic => new HttpRequestMessage(HttpMethod.Get, $".well-known/mercure?topic={topic}")),
        ("resume", topic => new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events?lastEventId=earliest")),
    ];

    [Fact]
    public async Task DrainingNode_IsUnreadyButLive_AndAnswersSubscribesWith503OnlyWhenTheBalancerRetries()
    {
        // The whole node over real HTTP: the drain starts as on SIGTERM (ApplicationStopping). The test host
        // is started, not run, so nothing stops Kestrel afterwards: its listener stays open, as it does for
        // the moment between SIGTERM and its closing, and the test can ask the draining node anything.
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Sse:RetryMilliseconds"] = "1000" });
        var topic = HubServerFixture.NewTopic();
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("health/ready")).StatusCode);
        foreach (var (name, request) in Subscribes)
            Assert.True(await OpensAStreamAsync(server, request(topic), balancer: "retry"), $"{name}: the balancer header alone is no reason for a 503");
        await using var open = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        // The open connection is drained (one connection: at once), which shows the drain has begun.
        await open.Completion.WaitAsync(SseStream.DefaultTimeout);

        using (var ready = await server.Client.GetAsync("health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("health/live")).StatusCode);
        foreach (var (name, request) in Subscribes)
        {
            // A browser (or any client straight on the node): 200 and only a retry, never a 503.
            using (var browser = await server.Client.SendAsync(WithStreamAccept(request(topic)), HttpCompletionOption.ResponseHeadersRead))
            {
                var body = await browser.Content.ReadAsStringAsync();
                Assert.True(browser.StatusCode == HttpStatusCode.OK, $"{name} without the balancer header: {(int)browser.StatusCode} {body}");
                Assert.Equal("text/event-stream", browser.Content.Headers.ContentType?.MediaType);
                Assert.Matches(@"^retry: \d+\n\n$", body);
            }
            // The deployed nginx says it retries: a 503 problem it takes to another node.
            using var balanced = await server.Client.SendAsync(WithBalancer(WithStreamAccept(request(topic)), "retry"));
            Assert.True(balanced.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name} with X-Hub-Balancer: retry: {(int)balanced.StatusCode}");
            Assert.Equal("application/problem+json", balanced.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), balanced.Headers.RetryAfter?.Delta);
        }
    }

    /// <summary>True when the request gets the stream's 200 and headers (the stream is then left).</summary>
    private static async Task<bool> OpensAStreamAsync(HubServer server, HttpRequestMessage request, string balancer)
    {
        using var response = await server.Client.SendAsync(WithBalancer(WithStreamAccept(request), balancer), HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/event-stream";
    }

    private static HttpRequestMessage WithStreamAccept(HttpRequestMessage request)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    private static HttpRequestMessage WithBalancer(HttpRequestMessage request, string balancer)
    {
        request.Headers.Add(ConnectionDrainer.BalancerHeader, balancer);
        return request;
    }

    private static StringContent JsonContent(string topic) =>
        new($$"""{"topics":["{{topic}}"]}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task DrainingNode_AnswersABrowser_With200AndOnlyARetry_NeverA503()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Sse:RetryMilliseconds"] = "1000" });
        var (status, headers, body) = await TurnAwayAsync(server, balancer: null);

        Assert.Equal(StatusCodes.Status200OK, status);
        // Only a jittered retry: no event, no id; EventSource opens, sees the stream end, and comes back later.
        Assert.Matches(@"^retry: (\d+)\n\n$", body);
        Assert.InRange(int.Parse(body[7..^2], System.Globalization.CultureInfo.InvariantCulture), 500, 1500);
        Assert.False(headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task DrainingNode_AnswersTheDeployedBalancer_With503AndRetryAfter_SoItTriesAnotherNode()
    {
        await using var server = await HubServer.StartAsync();
        var (status, headers, body) = await TurnAwayAsync(server, balancer: "retry");

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("1", headers.RetryAfter.ToString());
        Assert.Contains("draining", body, StringComparison.Ordinal);
        // Any other value is not the deployed balancer's promise to retry: the browser answer stands.
        Assert.Equal(StatusCodes.Status200OK, (await TurnAwayAsync(server, balancer: "yes")).Status);
    }

    private static async Task<(int Status, IHeaderDictionary Headers, string Body)> TurnAwayAsync(HubServer server, string? balancer)
    {
        var context = new DefaultHttpContext { RequestServices = server.Services };
        context.Request.Method = "GET";
        context.Request.Path = "/topics/t/events";
        if (balancer is not null)
            context.Request.Headers[ConnectionDrainer.BalancerHeader] = balancer;
        using var body = new MemoryStream();
        context.Response.Body = body;
        await server.Services.GetRequiredService<ConnectionDrainer>().TurnAwayAsync(context);
        await context.Response.BodyWriter.FlushAsync();
        return (context.Response.StatusCode, context.Response.Headers, Encoding.UTF8.GetString(body.ToArray()));
    }
}
