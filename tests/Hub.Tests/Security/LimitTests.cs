using System.Net;
using Hub.Api.Security;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Security;

public sealed class LimitTests
{
    [Fact]
    public async Task ConnectionsPerClient_BeyondTheLimit_Are429UntilOneCloses()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Limits:MaxConnectionsPerClient"] = "2" });
        var first = await SseStream.OpenAsync(server.Client, "topics/limit-a/events");
        await using var second = await SseStream.OpenAsync(server.Client, "topics/limit-b/events");
        using var third = await server.Client.SendAsync(Tokens.Get("events?topic=limit-c", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(third.Headers.RetryAfter);

        await first.DisposeAsync();
        // The slot frees when the server sees the client leave; that has no event to await from outside.
        var limiter = server.Services.GetRequiredService<ClientConnectionLimiter>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (limiter.OpenFrom(IPAddress.Loopback) > 1 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await using var again = await SseStream.OpenAsync(server.Client, "topics/limit-c/events");
        Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
    }

    [Fact]
    public async Task PublishRate_PerSubject_Is429WithRetryAfterAndNothingStored()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Tokens.Key,
            ["Hub:Limits:PublishRequestsPerSecond"] = "1",
            ["Hub:Limits:PublishBurst"] = "2",
        });
        var alice = Tokens.Hs(publish: ["*"], subject: "alice");
        var bob = Tokens.Hs(publish: ["*"], subject: "bob");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await server.Client.SendAsync(Tokens.Publish("rate", $"alice {i}", alice));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                refused ??= response;
            else
                response.Dispose();
        }
        using var bobs = await server.Client.SendAsync(Tokens.Publish("rate", "bob", bob));

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        refused.Dispose();
        Assert.Equal(HttpStatusCode.Created, bobs.StatusCode);
        var stored = await Tokens.HistoryAsync(server.Client, "rate");
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created) + 1, stored.Count);
    }
}
