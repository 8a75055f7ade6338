using System.Net;
using System.Text;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Streaming;

/// <summary>A streamed publish needs what any publish needs; its token is checked at the start and the stream is cut when it expires.</summary>
public sealed class StreamingAuthTests(SecuredHubFixture fixture) : IClassFixture<SecuredHubFixture>
{
    private HttpClient Client => fixture.Server.Client;

    private static StringContent Sse(string text) => new(text, Encoding.UTF8, "text/event-stream");

    [Fact]
    public async Task WithoutToken_Is401_AndNothingIsStored()
    {
        var topic = $"chat.{Guid.NewGuid():N}";

        var published = await StreamedPublish.PostAsync(Client, topic, Sse("data: x\n\n"));

        Assert.Equal(HttpStatusCode.Unauthorized, published.Status);
        Assert.Empty(await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task WithTokenNotGrantingTheTopic_Is403()
    {
        var published = await StreamedPublish.PostAsync(Client, $"chat.{Guid.NewGuid():N}", Sse("data: x\n\n"), Tokens.Hs(publish: ["news"]));

        Assert.Equal(HttpStatusCode.Forbidden, published.Status);
    }

    [Fact]
    public async Task WithGrantingToken_IsStored()
    {
        var topic = $"chat.{Guid.NewGuid():N}";

        var published = await StreamedPublish.PostAsync(Client, topic, Sse("data: a\n\ndata: b\n\n"), Tokens.Hs(publish: ["chat.*"]));

        Assert.Equal(HttpStatusCode.Created, published.Status);
        Assert.Equal(2, published.Count);
    }

    [Fact]
    public async Task TokenExpiringMidStream_CutsTheStreamWith401_KeepingWhatCameBefore()
    {
        var topic = $"chat.{Guid.NewGuid():N}";
        await using var post = await RawStreamingPost.StartAsync(fixture.Server.Address, topic, "text/event-stream", Tokens.Hs(publish: ["chat.*"], lifetime: TimeSpan.FromSeconds(6)));
        await post.SendAsync("data: one\n\ndata: two\n\n");
        await Eventually.TrueAsync(async () => (await Tokens.HistoryAsync(Client, topic)).Count == 2, "both events are stored before the token expires");

        // The publisher keeps the stream open (it would keep sending); the hub ends it at the token's expiry.
        var published = await post.ResponseAsync(TimeSpan.FromSeconds(20));

        published.AssertStopped(HttpStatusCode.Unauthorized, "expired", 2);
        Assert.Equal([(1L, "message", "one"), (2L, "message", "two")], await Tokens.HistoryAsync(Client, topic));
    }
}
