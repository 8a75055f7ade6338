using System.Net;
using System.Security.Cryptography;
using Hub.Tests.Infrastructure;
using Hub.Token;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.Security;

public sealed class StartupTests
{
    [Fact]
    public async Task Production_WithoutKey_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubServer.StartAsync(environment: Environments.Production));
        Assert.Contains("Hub:Auth:SigningKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowAnonymousPublish", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithExplicitAnonymousPublish_StartsAndAcceptsAnonymousPublishes()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:AllowAnonymousPublish"] = "true" }, Environments.Production);
        await server.Client.PublishAsync("prod-anon", "x");
    }

    [Fact]
    public async Task Production_WithKey_RefusesAnonymousPublishes()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key }, Environments.Production);
        using var anonymous = await server.Client.SendAsync(Tokens.Publish("prod-key", "x", null));
        using var granted = await server.Client.SendAsync(Tokens.Publish("prod-key", "x", Tokens.Hs(publish: ["prod-*"])));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
    }

    [Fact]
    public async Task Development_WithoutKey_AllowsAnonymousButStillRefusesBadTokens()
    {
        await using var server = await HubServer.StartAsync();
        await server.Client.PublishAsync("dev-anon", "x");
        using var forged = await server.Client.SendAsync(Tokens.Publish("dev-anon", "y", Tokens.Hs(publish: ["*"])));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Single(await Tokens.HistoryAsync(server.Client, "dev-anon"));
    }

    [Theory]
    [InlineData("Hub:Auth:PrivateTopics:0", "secret.*", "needs a key")]
    [InlineData("Hub:Auth:SigningKey", "too-short", "at least 32 bytes")]
    [InlineData("Hub:Auth:PublicKeyPem", "/nonexistent/key.pem", "PublicKeyPem")]
    [InlineData("Hub:Cors:AllowedOrigins:0", "https://app.example.com/path", "not an origin")]
    public async Task InvalidSecuritySettings_RefuseToStartWithAClearMessage(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubServer.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorsAnyOriginWithCredentials_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Cors:AllowedOrigins:0"] = "*",
            ["Hub:Cors:AllowCredentials"] = "true",
        }));
        Assert.Contains("AllowCredentials", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RsaConfiguredHub_AcceptsRs256_AndRefusesHs256SignedWithItsPublicKey()
    {
        using var rsa = RSA.Create(2048);
        var publicPem = rsa.ExportSubjectPublicKeyInfoPem();
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:PublicKeyPem"] = publicPem }, Environments.Production);
        var spec = new TokenSpec(["rs-*"], [], TimeSpan.FromHours(1));
        var rs256 = TokenMinter.Create(spec, TokenMinter.FromPrivateKeyPem(rsa.ExportPkcs8PrivateKeyPem()), DateTimeOffset.UtcNow);
        var confused = TokenMinter.Create(spec, TokenMinter.Hmac(publicPem), DateTimeOffset.UtcNow);

        using var good = await server.Client.SendAsync(Tokens.Publish("rs-topic", "signed", rs256));
        using var bad = await server.Client.SendAsync(Tokens.Publish("rs-topic", "confused", confused));
        using var none = await server.Client.SendAsync(Tokens.Publish("rs-topic", "unsigned", Tokens.AlgNone()));

        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(["signed"], (await Tokens.HistoryAsync(server.Client, "rs-topic")).Select(e => e.Data));
    }

    [Fact]
    public async Task EcdsaConfiguredHub_AcceptsEs256()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:PublicKeyPem"] = ecdsa.ExportSubjectPublicKeyInfoPem() });
        var token = TokenMinter.Create(new TokenSpec(["*"], [], TimeSpan.FromHours(1)), TokenMinter.FromPrivateKeyPem(ecdsa.ExportPkcs8PrivateKeyPem()), DateTimeOffset.UtcNow);
        using var response = await server.Client.SendAsync(Tokens.Publish("es-topic", "x", token));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("Issuer", "https://issuer.example", null, HttpStatusCode.Unauthorized)]
    [InlineData("Issuer", "https://issuer.example", "https://issuer.example", HttpStatusCode.Created)]
    [InlineData("Issuer", "https://issuer.example", "https://other.example", HttpStatusCode.Unauthorized)]
    [InlineData("Audience", "hub", null, HttpStatusCode.Unauthorized)]
    [InlineData("Audience", "hub", "hub", HttpStatusCode.Created)]
    [InlineData("Audience", "hub", "other-hub", HttpStatusCode.Unauthorized)]
    public async Task IssuerAndAudience_WhenConfigured_AcceptThatValueOnly(string claim, string configured, string? inToken, HttpStatusCode expected)
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key, [$"Hub:Auth:{claim}"] = configured });
        var token = claim == "Issuer" ? Tokens.Hs(publish: ["*"], issuer: inToken) : Tokens.Hs(publish: ["*"], audience: inToken);
        using var response = await server.Client.SendAsync(Tokens.Publish("claims", "x", token));
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(3600, HttpStatusCode.Created)]
    public async Task RequireExpiration_RefusesATokenWithoutExp(int? lifetimeSeconds, HttpStatusCode expected)
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key, ["Hub:Auth:RequireExpiration"] = "true" });
        var lifetime = lifetimeSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        var token = TokenMinter.Create(new TokenSpec(["*"], [], lifetime), TokenMinter.Hmac(Tokens.Key), DateTimeOffset.UtcNow);
        using var response = await server.Client.SendAsync(Tokens.Publish("claims", "x", token));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task PublishOptions_BodyLimitBelowOneLargestEvent_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Publish:MaxDataBytes"] = "65536",
            ["Hub:Publish:MaxBodyBytes"] = "65536",
        }));
        Assert.Contains("MaxBodyBytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    public void TokenTool_ParsesDurations(string text, int seconds)
    {
        var arguments = TokenArguments.Parse(["--key", Tokens.Key, "--publish", "news,status.*", "--subscribe", "*", "--expires", text]);
        Assert.Null(arguments.Problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), arguments.Spec.Lifetime);
        Assert.Equal(["news", "status.*"], arguments.Spec.Publish);
    }

    [Fact]
    public void TokenTool_RefusesAmbiguousOrUnknownArguments()
    {
        Assert.NotNull(TokenArguments.Parse(["--publish", "x"]).Problem);
        Assert.NotNull(TokenArguments.Parse(["--key", "k", "--wat", "x"]).Problem);
        Assert.NotNull(TokenArguments.Parse(["--key", "k", "--expires", "1y"]).Problem);
    }
}
