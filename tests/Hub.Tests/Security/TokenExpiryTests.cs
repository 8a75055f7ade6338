using System.Net;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Token;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// Outside Development a token must expire (<c>Hub:Auth:RequireExpiration</c> defaults to true there), and
/// a long-poll that a token let read a private topic answers by that token's expiry at the latest.
/// </summary>
public sealed class TokenExpiryTests
{
    [Theory]
    [InlineData("Production", null, HttpStatusCode.Unauthorized)]
    [InlineData("Production", "false", HttpStatusCode.Created)]
    [InlineData("Staging", null, HttpStatusCode.Unauthorized)]
    [InlineData("Development", null, HttpStatusCode.Created)]
    public async Task ATokenWithoutExp_IsRefusedOutsideDevelopment_UnlessRequireExpirationIsFalse(string environment, string? requireExpiration, HttpStatusCode expected)
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Tokens.Key,
            ["Hub:Auth:RequireExpiration"] = requireExpiration,
        }, environment);
        var forever = TokenMinter.Create(new TokenSpec(["*"], [], Lifetime: null), TokenMinter.Hmac(Tokens.Key), DateTimeOffset.UtcNow);

        using var response = await server.Client.SendAsync(Tokens.Publish("forever", "x", forever));

        Assert.Equal(expected, response.StatusCode);
        using var expiring = await server.Client.SendAsync(Tokens.Publish("forever", "y", Tokens.Hs(publish: ["*"])));
        Assert.Equal(HttpStatusCode.Created, expiring.StatusCode);
    }

    [Fact]
    public async Task LongPoll_OnAPrivateTopic_AnswersNoLaterThanItsTokensExpiry()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Tokens.Key,
            ["Hub:Auth:PrivateTopics:0"] = "private-*",
        }, Environments.Production);
        var topic = $"private-{Guid.NewGuid():N}";
        var token = Tokens.Hs(subscribe: [topic], lifetime: TimeSpan.FromSeconds(3));

        // The wait asked for is 60 s; the answer must come with the token's end, well inside 30 s.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await server.Client.SendAsync(Tokens.Get($"topics/{topic}/events?wait=60", token), cancel.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel.Token));
        Assert.Equal(0, page.RootElement.GetProperty("events").GetArrayLength());
    }
}
