using System.Net;
using Hub.Client.Http;
using Hub.Client.Subscribing;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Client;

/// <summary>The token provider on a hub that requires tokens (HMAC key, private topics <c>secret.*</c>, no clock skew).</summary>
public class ClientTokenTests(SecuredHubFixture fixture) : IClassFixture<SecuredHubFixture>
{
    [Fact]
    public async Task AnExpiredToken_EndsTheStream_AndTheReconnectAsksTheProviderForAFreshOne_MissingNothing()
    {
        var calls = 0;
        // Each token lives 2 s: the hub closes a private stream when its token expires.
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server, _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult<string?>(Tokens.Hs(publish: ["*"], subscribe: ["*"], lifetime: TimeSpan.FromSeconds(2)));
        });
        using var _ = http;
        var topic = $"secret.{Guid.NewGuid():N}";
        await using var events = new ClientTestKit.Collector(client.SubscribeAsync(topic));
        await Eventually.TrueAsync(() => events.Subscription.Connections > 0, "the subscription connected");
        await client.PublishAsync(topic, "n", "1");
        await events.WaitForAsync(1);

        await Eventually.TrueAsync(() => events.Subscription.Connections >= 2, "the hub closed the expired stream and the client reconnected", TimeSpan.FromSeconds(20));
        await client.PublishAsync(topic, "n", "2");
        await events.WaitForAsync(2);

        Assert.Equal([1L, 2L], events.Received.Select(e => e.Sequence!.Value));
        Assert.All(faults.Authorizations, a => Assert.StartsWith("Bearer ", a, StringComparison.Ordinal));
        Assert.True(calls >= events.Subscription.Connections + 2, $"provider called {calls} times for {events.Subscription.Connections} connections and 2 publishes");
    }

    [Fact]
    public async Task WithoutAToken_APrivateSubscription_FailsWith401()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;

        await using var events = new ClientTestKit.Collector(client.SubscribeAsync($"secret.{Guid.NewGuid():N}"));

        var error = await Assert.ThrowsAsync<HubProblemException>(() => events.Run.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
