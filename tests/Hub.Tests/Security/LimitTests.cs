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

    [Fact]
    public async Task LongPolls_CountAgainstThePerAddressLimit_LikeStreams()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Limits:MaxConnectionsPerClient"] = "2" });
        var limiter = server.Services.GetRequiredService<ClientConnectionLimiter>();
        await using var stream = await SseStream.OpenAsync(server.Client, "topics/poll-a/events");
        using var stop = new CancellationTokenSource();
        var held = server.Client.SendAsync(Tokens.Get("topics/poll-b/events?wait=60"), stop.Token);
        await Eventually.TrueAsync(() => limiter.OpenFrom(IPAddress.Loopback) == 2, "the stream and the long-poll hold a slot each");

        using var thirdPoll = await server.Client.SendAsync(Tokens.Get("topics/poll-c/events?wait=60"));
        using var thirdStream = await server.Client.SendAsync(Tokens.Get("topics/poll-c/events", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var plainRead = await server.Client.SendAsync(Tokens.Get("topics/poll-c/events"));

        Assert.Equal(HttpStatusCode.TooManyRequests, thirdPoll.StatusCode);
        Assert.Equal("application/problem+json", thirdPoll.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.TooManyRequests, thirdStream.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plainRead.StatusCode); // a history page without wait holds nothing
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        await Eventually.TrueAsync(() => limiter.OpenFrom(IPAddress.Loopback) == 1, "the long-poll's slot is freed when it ends");
    }

    [Fact]
    public async Task Reads_BeyondTheRate_Are429WithRetryAfter_ForInfoHistoryAndStreamOpens()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Limits:ReadRequestsPerSecond"] = "1",
            ["Hub:Limits:ReadBurst"] = "3",
        });
        HttpStatusCode streamStatus = default;
        HttpResponseMessage? refused = null;
        // The bucket refills one token a second, so an open may win a fresh token between the refusal and
        // itself; try a few rounds, each emptying the bucket first.
        for (var round = 0; round < 5 && streamStatus != HttpStatusCode.TooManyRequests; round++)
        {
            for (var i = 0; i < 10 && refused is null; i++)
            {
                var response = await server.Client.SendAsync(Tokens.Get(i % 2 == 0 ? "topics/rate" : "topics/rate/events"));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    refused = response;
                else
                    response.Dispose();
            }
            using var stream = await server.Client.SendAsync(Tokens.Get("topics/rate/events", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
            streamStatus = stream.StatusCode;
        }

        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        refused.Dispose();
        Assert.Equal(HttpStatusCode.TooManyRequests, streamStatus);
    }

    [Fact]
    public async Task RequestsWithoutAValidToken_DoNotDrainThePublishBucketOfTheirAddress()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Tokens.Key,
            ["Hub:Limits:PublishRequestsPerSecond"] = "1",
            ["Hub:Limits:PublishBurst"] = "2",
        });
        for (var i = 0; i < 6; i++)
        {
            // Refused either way: 401, or 429 once their own bucket is empty.
            using var bad = await server.Client.SendAsync(Tokens.Publish("drain", "x", Tokens.Tampered()));
            Assert.Contains(bad.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
        }

        // A valid token without a sub is counted by address: the 401s before it took nothing from that bucket.
        var noSubject = Tokens.Hs(publish: ["*"]);
        using var first = await server.Client.SendAsync(Tokens.Publish("drain", "one", noSubject));
        using var second = await server.Client.SendAsync(Tokens.Publish("drain", "two", noSubject));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb:cccc:dddd:2", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    public void ClientAddress_GroupsIpv6By64_AndIpv4ByAddress(string one, string other, bool same)
    {
        var a = ClientAddress.Group(IPAddress.Parse(one));
        var b = ClientAddress.Group(IPAddress.Parse(other));
        Assert.Equal(same, a.Equals(b));
    }
}
