using System.Net;
using System.Text;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Streaming;

/// <summary>One hub with small streaming limits, shared by the limit tests.</summary>
public sealed class StreamingLimitsFixture : IAsyncLifetime
{
    public const int MaxEvents = 5;
    public const int MaxBytes = 8 * 1024;

    public HubServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Publish:MaxDataBytes"] = "1024",
        ["Hub:Publish:MaxBodyBytes"] = "4096",
        ["Hub:Publish:Streaming:MaxEvents"] = MaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hub:Publish:Streaming:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hub:Publish:Streaming:IdleTimeout"] = "00:00:03",
        ["Hub:Publish:Streaming:MaxDuration"] = "00:00:07",
        ["Hub:Limits:PublishRequestsPerSecond"] = "0",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Every limit of a streamed publish: the request ends with a problem, and what came before it stays stored.</summary>
public sealed class StreamingLimitTests(StreamingLimitsFixture fixture) : IClassFixture<StreamingLimitsFixture>
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task StreamedBody_LargerThanMaxBodyBytes_IsAccepted_ItsOwnLimitIsMaxBytes()
    {
        var topic = HubServerFixture.NewTopic();
        var data = new string('x', 1000);
        var body = string.Concat(Enumerable.Repeat($"data: {data}\n\n", StreamingLimitsFixture.MaxEvents));
        Assert.True(Encoding.UTF8.GetByteCount(body) > 4096);

        var published = await StreamedPublish.PostAsync(Client, topic, "text/event-stream", body);

        Assert.Equal(HttpStatusCode.Created, published.Status);
        Assert.Equal(StreamingLimitsFixture.MaxEvents, published.Count);
    }

    [Fact]
    public async Task MoreEventsThanMaxEvents_Is413_AndTheFirstMaxEventsAreStored()
    {
        var topic = HubServerFixture.NewTopic();
        var body = string.Concat(Enumerable.Range(1, 8).Select(i => $"{{\"data\":\"e{i}\"}}\n"));

        var published = await StreamedPublish.PostAsync(Client, topic, "application/x-ndjson", body);

        published.AssertStopped(HttpStatusCode.RequestEntityTooLarge, "MaxEvents", StreamingLimitsFixture.MaxEvents);
        Assert.Equal(StreamingLimitsFixture.MaxEvents, (await Tokens.HistoryAsync(Client, topic)).Count);
    }

    [Fact]
    public async Task MoreBytesThanMaxBytes_Is413_AndWhatWasStoredIsReported()
    {
        var topic = HubServerFixture.NewTopic();
        // Few events (under MaxEvents) but many comment bytes: only the byte limit can stop this one.
        var padding = string.Concat(Enumerable.Repeat($": {new string('p', 1000)}\n", 10));
        var body = $"data: one\n\n{padding}data: two\n\n";

        var published = await StreamedPublish.PostAsync(Client, topic, "text/event-stream", body);

        published.AssertStopped(HttpStatusCode.RequestEntityTooLarge, "MaxBytes", 1);
        Assert.Equal([(1L, "message", "one")], await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task EventDataLargerThanMaxDataBytes_Is413NamingTheLine()
    {
        var topic = HubServerFixture.NewTopic();

        var published = await StreamedPublish.PostAsync(Client, topic, "text/event-stream", $"data: ok\n\ndata: {new string('x', 2000)}\n\n");

        published.AssertStopped(HttpStatusCode.RequestEntityTooLarge, "line 4", 1);
    }

    [Fact]
    public async Task PublisherSilentForTheIdleTimeout_Is408_KeepingWhatItSent()
    {
        var topic = HubServerFixture.NewTopic();
        await using var post = await RawStreamingPost.StartAsync(fixture.Server.Address, topic, "text/event-stream");
        await post.SendAsync("data: before the pause\n\n");

        // Nothing more is sent and the body never ends: the hub answers on its own.
        var published = await post.ResponseAsync(TimeSpan.FromSeconds(20));

        published.AssertStopped(HttpStatusCode.RequestTimeout, "IdleTimeout", 1);
        Assert.Equal([(1L, "message", "before the pause")], await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task StreamLongerThanMaxDuration_Is408_EvenWhileKeepAliveCommentsArrive()
    {
        var topic = HubServerFixture.NewTopic();
        await using var post = await RawStreamingPost.StartAsync(fixture.Server.Address, topic, "text/event-stream");
        await post.SendAsync("data: first\n\n");
        var answer = post.ResponseAsync(TimeSpan.FromSeconds(30));
        // An upstream's keep-alive comments: bytes, so the idle timeout never fires; only the duration can end it.
        while (!answer.IsCompleted)
        {
            try
            {
                await post.SendAsync(": ping\n");
            }
            catch (IOException)
            {
                break; // the hub answered and closed the connection
            }
            await Task.WhenAny(answer, Task.Delay(250));
        }
        var published = await answer;

        published.AssertStopped(HttpStatusCode.RequestTimeout, "MaxDuration", 1);
    }
}
